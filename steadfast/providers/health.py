"""Health selectors: what staff see on the "Provider health" page and the CLI list.

Error rate counts only calls that reached (or tried to reach) the provider: a declined card is a working
provider, and calls the breaker rejected never touched it. Uptime over 30 days comes from HealthEvent rows:
time spent open or half-open is down time; time disabled by staff is left out of the reckoning.
"""

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from steadfast.providers.breaker import DISABLED, HALF_OPEN, OPEN
from steadfast.providers.models import Attempt, HealthEvent
from steadfast.providers.selectors import provider_state

HOUR, DAY, MONTH = timedelta(hours=1), timedelta(days=1), timedelta(days=30)
_FAILURE_Q = Q(outcome__in=Attempt.FAILURES)


@dataclass(frozen=True)
class WindowStats:
    calls: int
    failures: int
    p95_ms: int | None

    @property
    def error_rate(self) -> float | None:
        """Percentage of failed calls, None without calls."""
        return None if not self.calls else round(100 * self.failures / self.calls, 1)


@dataclass(frozen=True)
class ProviderHealth:
    provider: object
    state: str
    last_success: datetime | None
    last_failure: datetime | None
    hour: WindowStats
    day: WindowStats
    uptime_30d: float | None


def provider_health(provider, now=None) -> ProviderHealth:
    now = now or timezone.now()
    attempts = Attempt.objects.filter(provider=provider)
    last_success = attempts.filter(outcome__in=(Attempt.Outcome.OK, Attempt.Outcome.DECLINED)).order_by("-created_at")
    last_failure = attempts.filter(_FAILURE_Q).order_by("-created_at")
    return ProviderHealth(
        provider=provider,
        state=provider_state(provider),
        last_success=last_success.values_list("created_at", flat=True).first(),
        last_failure=last_failure.values_list("created_at", flat=True).first(),
        hour=window_stats(provider, now - HOUR),
        day=window_stats(provider, now - DAY),
        uptime_30d=uptime(provider, now - MONTH, now),
    )


def window_stats(provider, since) -> WindowStats:
    reached = Attempt.objects.filter(provider=provider, created_at__gte=since).exclude(outcome=Attempt.Outcome.REJECTED)
    totals = reached.aggregate(calls=Count("id"), failures=Count("id", filter=_FAILURE_Q))
    calls = totals["calls"]
    p95 = None
    if calls:
        # Nearest-rank percentile in the database: one row fetched, whatever the number of calls.
        rank = math.ceil(0.95 * calls) - 1
        p95 = reached.order_by("latency_ms").values_list("latency_ms", flat=True)[rank]
    return WindowStats(calls, totals["failures"], p95)


def uptime(provider, start, end) -> float | None:
    """Percentage of [start, end] the provider was in service, None if it was disabled throughout."""
    events = HealthEvent.objects.filter(provider=provider)
    before = events.filter(created_at__lt=start).order_by("-created_at", "-id").values_list("to_state", flat=True)
    state = before.first() or _initial_state(provider, start)
    up = down = timedelta(0)
    cursor = start
    changes = events.filter(created_at__gte=start, created_at__lte=end).order_by("created_at", "id")
    for changed_at, to_state in changes.values_list("created_at", "to_state"):
        up, down = _add(state, changed_at - cursor, up, down)
        state, cursor = to_state, changed_at
    up, down = _add(state, end - cursor, up, down)
    total = up + down
    return None if not total else round(100 * up / total, 2)


def recent_attempts(provider=None, limit=50):
    attempts = Attempt.objects.select_related("provider")
    if provider is not None:
        attempts = attempts.filter(provider=provider)
    return list(attempts.order_by("-created_at", "-id")[:limit])


def recent_events(limit=20):
    return list(HealthEvent.objects.select_related("provider").order_by("-created_at", "-id")[:limit])


def _initial_state(provider, start):
    # No event before the window: the first event's from_state tells what it was; no events at all, its flag now.
    first = HealthEvent.objects.filter(provider=provider, created_at__gte=start).order_by("created_at", "id").first()
    if first is not None:
        return first.from_state
    return "closed" if provider.enabled else DISABLED


def _add(state, span, up, down):
    if state in (OPEN, HALF_OPEN):
        return up, down + span
    if state == DISABLED:
        return up, down
    return up + span, down


def failures_began(provider, until=None):
    """When the unbroken run of failed calls that led up to `until` began: the first failure after the last
    success (background calls left out, as for the breaker). Incidents and alerts start there, not at the moment
    the breaker opened. Looks back one day at most; None when there was no failed call."""
    from steadfast.providers.call import BACKGROUND_OPERATIONS  # call imports alerting, which imports this module

    until = until or timezone.now()
    counted = Attempt.objects.filter(provider=provider, created_at__gte=until - DAY, created_at__lte=until).exclude(
        operation__in=BACKGROUND_OPERATIONS
    )
    last_ok = (
        counted.filter(outcome__in=(Attempt.Outcome.OK, Attempt.Outcome.DECLINED))
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    failures = counted.filter(_FAILURE_Q)
    if last_ok is not None:
        failures = failures.filter(created_at__gt=last_ok)
    return failures.order_by("created_at").values_list("created_at", flat=True).first()


def failure_in_words(reason: str) -> str:
    """A breaker's reason ("3 calls in a row failed, last: ReadTimeout: ...") as a sentence for people."""
    text = reason or ""
    lowered = text.lower()
    status = re.search(r"HTTP (\d{3})", text)
    if "misconfigured" in lowered or (status and status.group(1) in ("401", "403")):
        return _("it refused our credentials or account (check its settings and keys)")
    if status and status.group(1) == "429":
        return _("it is refusing requests as too many (HTTP 429)")
    if status and status.group(1).startswith("5"):
        return _("it answered with server errors (HTTP %(status)s)") % {"status": status.group(1)}
    if "timeout" in lowered or "timed out" in lowered:
        return _("it stopped answering (requests timed out)")
    if "connecterror" in lowered or "could not connect" in lowered or "refused" in lowered:
        return _("it refused or dropped our connections")
    if "malformed" in lowered or "unusable response" in lowered:
        return _("it answered with responses we could not read")
    return _("calls to it failed")
