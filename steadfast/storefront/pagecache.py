"""A few seconds of whole-page caching for visitors without a session (first visits, crawlers, load tests).

Without a session cookie nothing on a catalog page is personal: the cart is empty, nobody is logged in, there are
no messages and the banner was not dismissed. The one exception is the CSRF token in forms, which is cut out when
the page is stored and filled in for each visitor when it is served. Pages are keyed on the catalog version (any
catalog or stock change retires them) and on the shop mode and banner version (a new banner, a mode change or a
provider going out retires them too); PAGE_SECONDS only bounds how long a page outlives a deploy.

Two rules keep one visitor's page from reaching others and keep the cache bounded: a request carrying any cookie
but the CSRF and language cookies (a message, a session) is never served from or stored in the cache, nor is a
response that sets one; and the key holds only the query parameters the page uses (`params`, each with a check that
its value is one of a small set), not the raw query string, so `?utm=N` cannot create new entries. A request with
a parameter value outside that set (a price filter, page 9999) is rendered fresh and not stored.
"""

import hashlib
import re
from functools import wraps

from django.conf import settings
from django.http import HttpResponse, QueryDict
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


def anonymous_page_cache(view=None, *, params=None):
    """`@anonymous_page_cache` for a page without query parameters, `@anonymous_page_cache(params={name: check})`
    for one that reads some (check(value) -> bool says the value is one of a bounded set worth caching)."""
    if view is None:
        return lambda inner: _decorate(inner, params or {})
    return _decorate(view, params or {})


def _decorate(view, params):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        query = _used_query(request, params) if _cacheable(request) else None
        version = catalog_version() if query is not None else None
        if version is None:
            return view(request, *args, **kwargs)
        # The view sees only the parameters in the key, so what is stored is what the key says (links included).
        request.GET = query
        path = hashlib.sha256(f"{request.path}?{query.urlencode()}".encode()).hexdigest()
        key = f"page:{version}:{_status_version(request)}:{get_language()}:{path}"
        stored = cache.get(key)
        if stored is None:
            response = view(request, *args, **kwargs)
            if response.status_code != 200 or response.streaming or _personal(response):
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
    # The waiting room's admission cookie says nothing about the page: admitted visitors get cached pages too.
    shared_cookies = {settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME, "sf_admitted"}
    return request.method == "GET" and set(request.COOKIES) <= shared_cookies


def _used_query(request, params) -> QueryDict | None:
    """The query reduced to the parameters the page uses, sorted; None when a value is not worth a cache entry."""
    query = QueryDict(mutable=True)
    for name in sorted(params):
        values = request.GET.getlist(name)
        if len(values) > 1 or (values and values[0] != "" and not params[name](values[0])):
            return None
        if values and values[0] != "":
            query[name] = values[0]
    query._mutable = False
    return query


def _personal(response) -> bool:
    """A response that sets a cookie other than the CSRF one (a message, a session) belongs to one visitor."""
    cache_control = response.get("Cache-Control", "")
    return bool(set(response.cookies) - {settings.CSRF_COOKIE_NAME}) or "private" in cache_control or (
        "no-store" in cache_control)
