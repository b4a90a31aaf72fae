"""GET /metrics in Prometheus' text format, for shops that run monitoring. Off (404) until METRICS_TOKEN or
METRICS_ALLOWED_IPS is set; then only a request with the token or from an allowed address gets it (403 otherwise).
"""

import ipaddress
import secrets

from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from steadfast.metrics.collector import ShopCollector
from steadfast.security.clientip import client_address


@require_GET
def metrics(request):
    token, allowed = settings.METRICS_TOKEN, settings.METRICS_ALLOWED_IPS
    if not token and not allowed:
        raise Http404
    sent = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not ((token and sent and secrets.compare_digest(sent.encode(), token.encode()))
            or _allowed(client_address(request), allowed)):
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain")
    registry = CollectorRegistry(auto_describe=False)  # per scrape: the figures are read now, nothing kept
    registry.register(ShopCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


def _allowed(address, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)
