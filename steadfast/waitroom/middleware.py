"""The waiting room at the door: new visitors wait their turn while the shop is over capacity (room.py).

Never queued: staff, shoppers who have something in their cart, everything past the catalog (cart, checkout,
payments and their webhooks, order pages, accounts, the API, which has its own rate limits), any request but a GET,
and the probes and the status page. A visitor let in keeps a signed cookie for WAITROOM_ADMIT_MINUTES; the page
cache ignores it (storefront/pagecache.py), so admitted visitors still get cached pages.
"""

import logging

from django.conf import settings
from django.core import signing
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import get_language

from steadfast.cart.cart import SESSION_KEY as CART_KEY
from steadfast.providers.store import STORE_ERRORS
from steadfast.waitroom import room

log = logging.getLogger(__name__)

ADMIT_COOKIE, TICKET_COOKIE = "sf_admitted", "sf_ticket"
SALT = "steadfast.waitroom"
BYPASS = ("/healthz", "/readyz", "/status/", "/admin/", "/static/", "/media/", "/cart/", "/checkout/", "/payments/",
          "/orders/", "/order/", "/accounts/", "/api/", "/i18n/", "/notify/")
REFRESH_SECONDS = 5
ERRORS = (*STORE_ERRORS, ValueError)  # ValueError: a counter expired between add and incr


def _signed(request, name, max_age):
    try:
        return signing.loads(request.COOKIES[name], salt=SALT, max_age=max_age)
    except (KeyError, signing.BadSignature):
        return None


def _never_queued(request) -> bool:
    if request.method != "GET" or request.path_info.startswith(BYPASS):
        return True
    if _signed(request, ADMIT_COOKIE, settings.WAITROOM_ADMIT_MINUTES * 60):
        return True
    if request.COOKIES.get(settings.SESSION_COOKIE_NAME):
        try:
            if request.session.get(CART_KEY) or (request.user.is_authenticated and request.user.is_staff):
                return True
        except STORE_ERRORS:
            return True  # cannot tell: let them in rather than queue a buyer
    return False


class InFlightMiddleware:
    """Near the top: counts every request in flight on every node (the room's measure of load), body reading and
    slow clients included."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.WAITROOM_MAX_INFLIGHT:
            return self.get_response(request)  # only the staff switch can queue: no need to count
        try:
            counted = room.inflight_enter()
        except ERRORS as error:
            log.warning("waiting room: cannot count requests (%r); the room stays open", error)
            counted = None
        try:
            return self.get_response(request)
        finally:
            if counted:
                try:
                    room.inflight_leave(counted)
                except ERRORS as error:
                    log.warning("waiting room: cannot count requests (%r)", error)


class WaitingRoomMiddleware:
    """After sessions and authentication (it reads the cart and the staff flag)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _never_queued(request):
            return self.get_response(request)
        try:
            if not room.active():
                return self.get_response(request)
            ticket = _signed(request, TICKET_COOKIE, 3600) or room.ticket_take()
            room.admission_tick()
            place = room.position(ticket)
            wait = room.estimate_seconds(place)
        except ERRORS as error:
            log.warning("waiting room: cache failed (%r); letting the visitor in", error)
            return self.get_response(request)
        if place == 0:
            response = self.get_response(request)
            response.set_cookie(ADMIT_COOKIE, signing.dumps(1, salt=SALT), max_age=settings.WAITROOM_ADMIT_MINUTES * 60,
                                httponly=True, samesite="Lax", secure=request.is_secure())
            response.delete_cookie(TICKET_COOKIE)
            return response
        return self._queue_page(request, ticket, place, wait)

    def _queue_page(self, request, ticket, place, wait):
        minutes = max(1, round(wait / 60))
        body = render_to_string("waitroom/queue.html", {
            "position": place, "wait_seconds": wait, "wait_minutes": minutes, "refresh": REFRESH_SECONDS,
            "shop_name": settings.SHOP_NAME, "LANGUAGE_CODE": get_language(),
            "csp_nonce": getattr(request, "csp_nonce", ""), "path": request.get_full_path(),
        })
        # 503 + Retry-After: crawlers come back later; no-store: a proxy must never hand one visitor's place to another.
        response = HttpResponse(body, status=503)
        response["Retry-After"] = str(REFRESH_SECONDS)
        response["Cache-Control"] = "no-store"
        response.set_cookie(TICKET_COOKIE, signing.dumps(ticket, salt=SALT), max_age=3600, httponly=True,
                            samesite="Lax", secure=request.is_secure())
        return response
