"""Shop modes at the door: maintenance closes the site, catalog-only and phone-orders close ordering.

Working on URL prefixes keeps the cart and checkout views free of mode checks.
"""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from steadfast.status.banner import contacts_context
from steadfast.status.models import Mode
from steadfast.status.selectors import current_mode

# These keep answering in every mode: probes, the status page, staff tools and assets.
EXEMPT = ("/healthz", "/readyz", "/status/", "/admin/", "/static/", "/media/")
ORDERING = ("/cart/add", "/checkout/", "/api/v1/checkout")
ORDERING_POST = ("/api/v1/cart",)


def _is_staff(request):
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_staff)


def _ordering_path(request):
    path = request.path_info
    return path.startswith(ORDERING) or (request.method == "POST" and path.startswith(ORDERING_POST))


def mode_context(mode):
    return {
        **contacts_context(),
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
        mode = current_mode()
        if mode.mode == Mode.MAINTENANCE and not _is_staff(request):
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
            response = render(request, template, mode_context(mode), status=503)
        response["Retry-After"] = str(mode.retry_after)
        response["Cache-Control"] = "no-store"
        return response
