"""This node's readiness at the door: step aside while another node can serve, serve what we can when none can.

The checks are /readyz's (database round trip, cache round trip), made at most once every READY_RECHECK_SECONDS per
process, so a node notices an outage within a second or two and its recovery as fast, with no one to switch it
back. What a node does while a check fails depends on who asks (the header is set by the generated nginx config,
nginxconf.py; a client sending its own only gets one of the two answers below for itself):

- `X-Steadfast-Proxy: first`: a quick 503 "not ready". nginx passes GETs on to the next node and counts the
  failure, so after max_fails the node gets no traffic until fail_timeout has passed (passive health check).
- `last` (no node was ready for a GET), `write` (a POST: the proxy never sends it twice, so this node answers it)
  or no proxy at all (one process, the demo): the shop keeps its doors open. Without
  the database, ordering is paused as in catalog-only mode with a notice saying why, pages the cache still holds
  are served with that notice, and a page that needs the database becomes a friendly 503 instead of a 500.
"""

import logging
import re
import threading
import time

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from steadfast.status.models import Mode
from steadfast.status.selectors import ModeState
from steadfast.status.views import CACHE_ERRORS, DATABASE_ERRORS, _cache_roundtrip, _database_roundtrip

log = logging.getLogger(__name__)

EXEMPT = ("/healthz", "/readyz", "/static/", "/media/")
PROXY_HEADER = "HTTP_X_STEADFAST_PROXY"
MAIN = re.compile(rb"<main[ >]")

_lock = threading.Lock()
_state = {"at": float("-inf"), "failing": ()}


def node_failing(now=None) -> tuple:
    """The checks failing on this node ('database', 'cache'), rechecked at most every READY_RECHECK_SECONDS."""
    now = time.monotonic() if now is None else now
    if now - _state["at"] < settings.READY_RECHECK_SECONDS:
        return _state["failing"]
    with _lock:
        if now - _state["at"] < settings.READY_RECHECK_SECONDS:
            return _state["failing"]
        failing = tuple(name for name, roundtrip, errors in (
            ("database", _database_roundtrip, DATABASE_ERRORS), ("cache", _cache_roundtrip, CACHE_ERRORS),
        ) if not _passes(name, roundtrip, errors))
        if failing != _state["failing"]:
            log.warning("node readiness: %s", f"failing {', '.join(failing)}" if failing else "ready again")
        _state.update(at=time.monotonic(), failing=failing)
        return failing


def _passes(name, roundtrip, errors) -> bool:
    try:
        roundtrip()
    except errors as error:
        log.debug("readiness %s: %s: %s", name, type(error).__name__, error)
        return False
    return True


def database_down_mode() -> ModeState:
    """What shoppers see while this node cannot reach the database: browsing from cache, ordering paused."""
    return ModeState(Mode.CATALOG_ONLY, _("We have a technical problem; online ordering will be back in a few "
                                          "minutes."), automatic=True)


def database_down(request) -> bool:
    return getattr(request, "steadfast_database_down", False)


class NodeReadinessMiddleware:
    """Outermost but the response counter: before sessions and users, which need the database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(EXEMPT):
            return self.get_response(request)
        failing = node_failing()
        if not failing:
            return self.get_response(request)
        if request.META.get(PROXY_HEADER) == "first":
            response = JsonResponse({"status": "unavailable", "failing": list(failing)}, status=503)
            response["Cache-Control"] = "no-store"
            response["Retry-After"] = "5"
            return response
        if "database" not in failing:
            return self.get_response(request)  # the lenient cache degrades to "not cached" by itself
        request.steadfast_database_down = True
        response = self.get_response(request)
        if response.status_code >= 500 and response.status_code != 503:
            return self._unavailable(request)
        return self._with_notice(response)

    def _notice(self) -> bytes:
        return render_to_string("storefront/_mode_notice.html", {
            "shop_mode": database_down_mode(), "shop_phone": settings.SHOP_PHONE}).encode()

    def _with_notice(self, response):
        """A page served from the cache was stored without the notice: put it above the page's main content."""
        if (response.status_code != 200 or response.streaming
                or not response.get("Content-Type", "").startswith("text/html")):
            return response
        body = response.content
        found = MAIN.search(body)
        if b'id="mode-notice"' in body or found is None:
            return response
        response.content = body[:found.start()] + self._notice() + body[found.start():]
        response["Cache-Control"] = "no-store"
        return response

    def _unavailable(self, request):
        from steadfast.status.banner import contacts_for

        mode = database_down_mode()
        context = {"message": mode.message, "shop_name": settings.SHOP_NAME, "LANGUAGE_CODE": get_language(),
                   "contacts": contacts_for(settings.SHOP_PHONE, settings.SHOP_EMAIL)}
        if request.path_info.startswith("/api/"):
            response = JsonResponse({"error": "database_unavailable", "message": mode.message,
                                     "phone": settings.SHOP_PHONE, "email": settings.SHOP_EMAIL}, status=503)
        else:
            # A page of its own: base.html's context processors and fragments need the database.
            response = HttpResponse(render_to_string("status/database_down.html", context), status=503)
        response["Retry-After"] = "60"
        response["Cache-Control"] = "no-store"
        return response
