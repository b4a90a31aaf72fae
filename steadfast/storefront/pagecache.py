"""Whole catalog pages cached per catalog version, shop status and language, for every shopper (issue 16).

A shop page is the same for everyone but for a few per-visitor parts, which are punched out when the page is stored
and filled in when it is served: the CSRF token in forms, and the cart link with its item count. What else differs
goes into the key: the shop mode and banner version (a new banner, a mode change or a provider going out retires
the page), whether the visitor dismissed the banner, and whether they are logged in. Pages are keyed on the catalog
version, so any catalog or stock change retires them at once (a stale price is never served); PAGE_SECONDS only
bounds how long a page outlives a deploy.

Rules that keep one visitor's page from reaching others and keep the cache bounded: a visitor with a message waiting
(flash messages), staff (maintenance and preview views differ) and requests carrying any other cookie are rendered
fresh, and a response that sets a cookie other than the CSRF or session one is never stored; the key holds only the
query parameters the page uses (`params`, each with a check that its value is one of a small set), not the raw query
string, so `?utm=N` cannot create new entries. A parameter value outside that set (a price filter, page 9999) is
rendered fresh and not stored.
"""

import hashlib
import re
from functools import lru_cache, wraps

from django.conf import settings
from django.contrib.messages import get_messages
from django.http import HttpResponse, QueryDict
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.translation import get_language

from steadfast.cachesafe import lenient_cache as cache
from steadfast.cart.cart import Cart
from steadfast.catalog.cache import catalog_version
from steadfast.status.banner import banner_for
from steadfast.status.selectors import current_mode

PAGE_SECONDS = 60
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
MARK = 'name="csrfmiddlewaretoken" value="\x00csrf\x00"'
CART_LINK = re.compile(r"<!--cart-link-->.*?<!--/cart-link-->", re.DOTALL)
CART_MARK = "\x00cart\x00"


def anonymous_page_cache(view=None, *, params=None, vary=None):
    """`@anonymous_page_cache` for a page without query parameters, `@anonymous_page_cache(params={name: check})`
    for one that reads some (check(value) -> bool says the value is one of a bounded set worth caching);
    `vary(request) -> str` adds what else the page shows (the cart page: the cart's lines).
    The name is historical: shoppers with a session and a cart are served from it too (module docstring)."""
    if view is None:
        return lambda inner: _decorate(inner, params or {}, vary)
    return _decorate(view, params or {}, vary)


def _decorate(view, params, vary=None):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        audience = _audience(request)
        query = _used_query(request, params) if audience is not None else None
        version = catalog_version() if query is not None else None
        if version is None:
            return view(request, *args, **kwargs)
        # The view sees only the parameters in the key, so what is stored is what the key says (links included).
        request.GET = query
        path = hashlib.sha256(f"{request.path}?{query.urlencode()}".encode()).hexdigest()
        key = f"page:{version}:{_status_version(request)}:{audience}:{get_language()}:{path}"
        if vary is not None:
            key += ":" + hashlib.sha256(vary(request).encode()).hexdigest()
        stored = cache.get(key)
        if stored is None:
            response = view(request, *args, **kwargs)
            if response.status_code != 200 or response.streaming or _personal(request, response):
                return response
            body = CART_LINK.sub(CART_MARK, TOKEN.sub(MARK, response.content.decode()), count=1)
            cache.set(key, (body, response["Content-Type"]), PAGE_SECONDS)
            return response
        body, content_type = stored
        body = body.replace(MARK, f'name="csrfmiddlewaretoken" value="{escape(get_token(request))}"')
        return HttpResponse(body.replace(CART_MARK, _cart_link(request)), content_type=content_type)

    return wrapper


def _audience(request) -> str | None:
    """Which shared version of the page this visitor may get ("guest" or "member"), or None: render it fresh."""
    # The waiting room's admission cookie says nothing about the page: admitted visitors get cached pages too.
    allowed = {settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME, settings.SESSION_COOKIE_NAME, "sf_admitted"}
    sent = {name for name, value in request.COOKIES.items() if value}  # an emptied cookie is a deleted one
    if request.method != "GET" or not sent <= allowed:
        return None
    if settings.SESSION_COOKIE_NAME not in sent:
        return "guest"
    # len() loads waiting messages without marking them shown: the fresh render then shows and consumes them.
    if len(get_messages(request)):
        return None
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return "guest"
    return None if user.is_staff else "member"


def _cart_link(request) -> str:
    session = getattr(request, "session", None)
    return _cart_link_html(get_language(), len(Cart(session)) if session is not None else 0)


@lru_cache(maxsize=512)
def _cart_link_html(language, count) -> str:
    # The language is active already; it is part of the arguments so each language has its own entry.
    return render_to_string("storefront/_cart_link.html", {"cart_count": count})


def _status_version(request) -> str:
    """What base.html shows from the status app: the shop mode and which banner (both cached by that app),
    and whether this visitor dismissed it."""
    banner = banner_for(request)
    if banner is None:
        return f"{current_mode().mode}:-"
    return f"{current_mode().mode}:{banner['version']}:{'d' if banner['dismissed'] else 's'}"


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


def _personal(request, response) -> bool:
    """A response that sets a cookie other than the CSRF one (a message, a session) belongs to one visitor, and so
    does one whose view changed the session (e.g. the cart brought in line with stock, with a message)."""
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return True
    cache_control = response.get("Cache-Control", "")
    return bool(set(response.cookies) - {settings.CSRF_COOKIE_NAME}) or "private" in cache_control or (
        "no-store" in cache_control)
