"""A few seconds of whole-page caching for visitors without a session (first visits, crawlers, load tests).

Without a session cookie nothing on a catalog page is personal: the cart is empty, nobody is logged in, there are
no messages and the banner was not dismissed. The one exception is the CSRF token in forms, which is cut out when
the page is stored and filled in for each visitor when it is served. Pages are keyed on the catalog version (any
catalog or stock change retires them) and on the shop mode and banner version (a new banner, a mode change or a
provider going out retires them too); PAGE_SECONDS only bounds how long a page outlives a deploy.
"""

import re
from functools import wraps

from django.conf import settings
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.html import escape
from django.utils.translation import get_language

from steadfast.cachesafe import lenient_cache as cache
from steadfast.catalog.cache import catalog_version
from steadfast.status.banner import banner_for
from steadfast.status.selectors import current_mode

PAGE_SECONDS = 60
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
MARK = 'name="csrfmiddlewaretoken" value="\x00csrf\x00"'


def anonymous_page_cache(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        version = catalog_version() if _cacheable(request) else None
        if version is None:
            return view(request, *args, **kwargs)
        key = f"page:{version}:{_status_version(request)}:{get_language()}:{request.get_full_path()}"
        stored = cache.get(key)
        if stored is None:
            response = view(request, *args, **kwargs)
            if response.status_code != 200 or response.streaming:
                return response
            cache.set(key, (TOKEN.sub(MARK, response.content.decode()), response["Content-Type"]), PAGE_SECONDS)
            return response
        body, content_type = stored
        return HttpResponse(body.replace(MARK, f'name="csrfmiddlewaretoken" value="{escape(get_token(request))}"'),
                            content_type=content_type)

    return wrapper


def _status_version(request) -> str:
    """What base.html shows from the status app: the shop mode and which banner (both cached by that app)."""
    banner = banner_for(request)
    return f"{current_mode().mode}:{banner['version'] if banner else '-'}"


def _cacheable(request) -> bool:
    return request.method == "GET" and settings.SESSION_COOKIE_NAME not in request.COOKIES
