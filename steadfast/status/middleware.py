"""Shop modes at the door: maintenance closes the site, catalog-only and phone-orders close ordering.

Working on URL prefixes keeps the cart and checkout views free of mode checks.

The database (or the cache) being down must never turn into a 500 from here: the mode falls back to the last one
this process read (else open) and the failure is logged. The view behind may still fail; that is its business.
"""

import logging

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from steadfast.providers.store import STORE_ERRORS
from steadfast.status.banner import contacts_context, contacts_for
from steadfast.status.models import Mode
from steadfast.status.readiness import database_down, database_down_mode
from steadfast.status.selectors import ModeState, current_mode

log = logging.getLogger(__name__)
_last_known: ModeState | None = None  # the mode this process read last, for when the database is down


def mode_or_last_known() -> ModeState:
    global _last_known
    try:
        mode = current_mode()
    except STORE_ERRORS as error:
        fallback = _last_known or ModeState(Mode.OPEN)
        log.error("Cannot read the shop mode (%r); using the last known mode: %s", error, fallback.mode)
        return fallback
    _last_known = mode
    return mode

# These keep answering in every mode: probes, the status page, staff tools and assets.
EXEMPT = ("/healthz", "/readyz", "/status/", "/admin/", "/static/", "/media/")
ORDERING = ("/cart/add", "/checkout/", "/api/v1/checkout")
ORDERING_POST = ("/api/v1/cart",)


def staff_passes(request):
    """Logged-in staff: they pass maintenance entirely (site, cart and checkout) to try the shop before reopening."""
    try:
        user = getattr(request, "user", None)
        return bool(user is not None and user.is_authenticated and user.is_staff)
    except STORE_ERRORS:  # sessions or users unreadable: nobody can be recognised as staff
        return False


def _ordering_path(request):
    path = request.path_info
    return path.startswith(ORDERING) or (request.method == "POST" and path.startswith(ORDERING_POST))


def mode_context(mode):
    try:
        contacts = contacts_context()
    except STORE_ERRORS:  # staff contacts and partner shops live in the database: the shop's own still work
        contacts = {
            "contacts": contacts_for(settings.SHOP_PHONE, settings.SHOP_EMAIL),
            "partners": [],
            "shop_name": settings.SHOP_NAME,
        }
    return {
        **contacts,
        "mode": mode,
        "eta": mode.eta,
        "message": mode.message,
        "phone": settings.SHOP_PHONE,
        "email": settings.SHOP_EMAIL,
    }


class ShopModeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(EXEMPT):
            return self.get_response(request)
        mode = database_down_mode() if database_down(request) else mode_or_last_known()
        if mode.mode == Mode.MAINTENANCE:
            if staff_passes(request):
                return self.get_response(request)
            return self.closed(request, mode, "status/maintenance.html")
        if mode.ordering_blocked and _ordering_path(request):
            return self.closed(request, mode, "status/ordering_closed.html")
        return self.get_response(request)

    def closed(self, request, mode, template):
        if request.path_info.startswith("/api/"):
            response = JsonResponse(
                {
                    "error": "ordering_unavailable" if mode.mode != Mode.MAINTENANCE else "maintenance",
                    "mode": mode.mode,
                    "message": mode.message or str(_("Ordering on the website is paused.")),
                    "eta": mode.eta.isoformat() if mode.eta else None,
                    "phone": settings.SHOP_PHONE,
                    "email": settings.SHOP_EMAIL,
                },
                status=503,
            )
        else:
            context = mode_context(mode)
            try:
                response = render(request, template, context, status=503)
            except STORE_ERRORS:  # context processors (banner, cart) need the database: render without them
                response = HttpResponse(render_to_string(template, context), status=503)
        response["Retry-After"] = str(mode.retry_after)
        response["Cache-Control"] = "no-store"
        return response
