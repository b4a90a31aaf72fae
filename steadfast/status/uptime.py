"""Uptime bars from what was recorded, never assumed.

- A provider's day is measured when something called it that day (an Attempt: a probe, a payment, a message) or
  its breaker changed state; its value is the share of the day not spent open/half-open (components.uptime_days).
- The website's day is measured by OriginCheck rows (status/origin.py): the share of checks that found it up;
  checks during maintenance and checks that found it not answering both count against it.
- A day nobody measured is None ("no data"), and a component with no measured day shows no bars at all (offline
  payment methods, which nothing calls, have none).
"""

from datetime import UTC, date, timedelta

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from steadfast.cachesafe import lenient_cache as cache
from steadfast.providers.models import Attempt
from steadfast.status.components import health_model, uptime_days
from steadfast.status.models import OriginCheck

MEASURED_CACHE_SECONDS = 300


def _days(now, days):
    today = now.astimezone(UTC).date()
    return [today - timedelta(days=days - 1 - i) for i in range(days)]


def _start(now, days):
    today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today - timedelta(days=days - 1)


def provider_measured_days(provider_ids, days, now) -> dict[int, set]:
    """Per provider, the UTC dates on which it was called or changed state. Cached a few minutes: it scans every
    attempt of the window, and a bar that lags by minutes is fine."""
    if not provider_ids:
        return {}
    start = _start(now, days)
    key = f"status:uptime:measured:v1:{start.date()}:{','.join(map(str, sorted(provider_ids)))}"
    cached = cache.get(key)
    if cached is not None:
        return {int(pid): set(map(_date, dates)) for pid, dates in cached.items()}
    measured = {pid: set() for pid in provider_ids}
    sources = [Attempt.objects]
    HealthEvent = health_model()
    if HealthEvent is not None:
        sources.append(HealthEvent.objects)
    for manager in sources:
        rows = (
            manager.filter(provider_id__in=provider_ids, created_at__gte=start, created_at__lte=now)
            .annotate(day=TruncDate("created_at", tzinfo=UTC))
            .values_list("provider_id", "day")
            .distinct()
        )
        for pid, day in rows:
            measured[pid].add(day)
    stored = {pid: sorted(d.isoformat() for d in dates) for pid, dates in measured.items()}
    cache.set(key, stored, MEASURED_CACHE_SECONDS)
    return measured


def _date(value):
    return date.fromisoformat(value)


def provider_bars(provider_ids, days=90, now=None) -> dict[int, list]:
    """Per provider, one value per day (oldest first): the share of the day it worked, or None if unmeasured."""
    now = now or timezone.now()
    values = uptime_days(provider_ids, days, now)
    measured = provider_measured_days(provider_ids, days, now)
    dates = _days(now, days)
    return {
        pid: [values[pid][i] if dates[i] in measured.get(pid, ()) else None for i in range(days)]
        for pid in provider_ids
    }


def website_bars(days=90, now=None) -> tuple[list, list]:
    """(value per day or None, whether maintenance was seen that day) from the recorded website checks."""
    now = now or timezone.now()
    dates = _days(now, days)
    counts = {d: {} for d in dates}
    rows = (
        OriginCheck.objects.filter(created_at__gte=_start(now, days), created_at__lte=now)
        .annotate(day=TruncDate("created_at", tzinfo=UTC))
        .values_list("day", "outcome")
        .annotate(n=Count("id"))
    )
    for day, outcome, n in rows:
        if day in counts:
            counts[day][outcome] = n
    values, maintenance = [], []
    for day in dates:
        total = sum(counts[day].values())
        values.append(round(counts[day].get(OriginCheck.Outcome.UP, 0) / total, 4) if total else None)
        maintenance.append(bool(counts[day].get(OriginCheck.Outcome.MAINTENANCE)))
    return values, maintenance


def combine(rows_of_days) -> list:
    """Average several providers' days, skipping unmeasured ones; a day none measured stays None."""
    combined = []
    for day in zip(*rows_of_days, strict=True):
        known = [v for v in day if v is not None]
        combined.append(round(sum(known) / len(known), 4) if known else None)
    return combined


def uptime_percent(values) -> float | None:
    known = [v for v in values if v is not None]
    return round(100 * sum(known) / len(known), 2) if known else None
