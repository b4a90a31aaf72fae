"""The cache keys every page reads, read in one round trip per request (cachesafe.remembered, issue 16).

After LocaleMiddleware (the automatic banner text is per language) and before the shop mode, waiting room and page
cache read them. Only GET and HEAD: a POST may change what these keys hold and reads them afresh.
"""

from django.utils.translation import get_language

from steadfast.cachesafe import remembered
from steadfast.catalog.cache import PRODUCT_STOCK_KEY, STOCK_KEY, VERSION_KEY
from steadfast.status.banner import AUTO_KEY
from steadfast.status.selectors import BANNER_CACHE_KEY, MODE_CACHE_KEY, PARTNERS_CACHE_KEY
from steadfast.status.snapshot import SNAPSHOT_KEY

SKIP = ("/static/", "/media/", "/healthz", "/readyz")


def hot_keys(path) -> list[str]:
    language = get_language()
    keys = [VERSION_KEY, MODE_CACHE_KEY, BANNER_CACHE_KEY, AUTO_KEY.format(language=language)]
    if path.startswith("/cart/"):  # the cart page shows its lines' stock (cart/views.py)
        keys.append(STOCK_KEY)
    elif path.startswith("/p/") and path.count("/") == 3:  # /p/<slug>/: the product's stock (storefront/views.py)
        keys.append(PRODUCT_STOCK_KEY.format(slug=path.split("/")[2]))
    if path.startswith("/status/"):  # the status page's snapshot and contacts (status/pages.py)
        keys += [SNAPSHOT_KEY.format(language=language), PARTNERS_CACHE_KEY]
    return keys


class HotKeysMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD") or request.path_info.startswith(SKIP):
            return self.get_response(request)
        with remembered(hot_keys(request.path_info)):
            return self.get_response(request)
