"""Is the shop's own website answering? Checked from outside the web process (the worker every minute, and
`status export` before it writes the off-host copy), recorded as OriginCheck rows.

The check asks <STATUS_ORIGIN_URL>/healthz, which answers without database or cache, so "down" means the web
process (or the proxy in front of it) does not answer, not that a dependency is slow. Maintenance is read from the
shop mode: the website answers then, but customers cannot order, and that is not uptime either.
"""

import json
import time
import urllib.error
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from steadfast.status.models import Mode, OriginCheck
from steadfast.status.selectors import current_mode

TIMEOUT_SECONDS = 5
# A "down" check older than this no longer says anything about now (the export is expected every minute).
FRESH = timedelta(minutes=3)


def origin_url() -> str:
    return (getattr(settings, "STATUS_ORIGIN_URL", "") or settings.SITE_URL).rstrip("/")


def _probe(url) -> tuple[bool, str]:
    # The origin is the shop itself (settings, never user input): a plain urllib GET, not a provider call.
    request = urllib.request.Request(url + "/healthz", headers={"User-Agent": "steadfast-origin-check"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 (settings URL)
            body = response.read(2048)
    except urllib.error.HTTPError as error:
        return False, f"HTTP {error.code}"
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        return False, f"{type(reason).__name__}: {reason}"[:200]
    try:
        healthy = json.loads(body).get("status") == "ok"
    except (ValueError, AttributeError):
        healthy = False
    return (True, "") if healthy else (False, "answered, but not the shop's /healthz")


def origin_check_record(url=None) -> OriginCheck:
    started = time.perf_counter()
    ok, detail = _probe(url or origin_url())
    latency = int((time.perf_counter() - started) * 1000)
    if ok and current_mode().mode == Mode.MAINTENANCE:
        outcome = OriginCheck.Outcome.MAINTENANCE
    else:
        outcome = OriginCheck.Outcome.UP if ok else OriginCheck.Outcome.DOWN
    return OriginCheck.objects.create(outcome=outcome, detail=detail, latency_ms=latency)


def origin_checks_prune(now=None, keep_days=91) -> int:
    """The bars span 90 days; older checks only grow the table (one row a minute)."""
    now = now or timezone.now()
    deleted, _by_model = OriginCheck.objects.filter(created_at__lt=now - timedelta(days=keep_days)).delete()
    return deleted


def origin_down_since(now=None):
    """When the current run of "down" checks began, if the latest check is recent and down; else None."""
    now = now or timezone.now()
    recent = list(OriginCheck.objects.filter(created_at__lte=now).values_list("outcome", "created_at")[:500])
    if not recent or recent[0][0] != OriginCheck.Outcome.DOWN or now - recent[0][1] > FRESH:
        return None
    began = recent[0][1]
    for outcome, created_at in recent:
        if outcome != OriginCheck.Outcome.DOWN:
            break
        began = created_at
    return began
