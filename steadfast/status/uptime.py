"""Uptime bars from what was recorded, never assumed.

- A provider's day is measured when something called it that day (an Attempt: a probe, a payment, a message) or
  its breaker changed state; its value is the share of the day not spent open/half-open (components.uptime_days).
- The website's day is measured by OriginCheck rows (status/origin.py): the share of checks that found it up;
  checks during maintenance and checks that found it not answering both count against it.
- A day nobody measured is None ("no data"), and a component with no measured day shows no bars at all (offline
  payment methods, which nothing calls, have none).
"""

import secrets
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Count
from django.utils import timezone

from steadfast.cachesafe import lenient_cache as cache
from steadfast.providers.models import Attempt
from steadfast.status.components import health_model, uptime_days
from steadfast.status.models import OriginCheck

# A finished day's figures never change: kept two days, so only today is counted on every build.
CLOSED_DAY_SECONDS = 2 * 86400
GENERATION_KEY = "status:uptime:generation"


def _generation() -> str:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        generation = secrets.token_hex(4)
        cache.set(GENERATION_KEY, generation, None)
    return generation


def uptime_cache_clear():
    """Forget every cached day (after importing or correcting history; tests start from here)."""
    cache.delete(GENERATION_KEY)


def _days(now, days):
    today = now.astimezone(UTC).date()
    return [today - timedelta(days=days - 1 - i) for i in range(days)]


def _bounds(day):
    start = datetime.combine(day, time.min, tzinfo=UTC)
    return start, start + timedelta(days=1)


def _per_day(prefix, dates, today, compute):
    """compute(day) for each date; finished days come from one cache entry per prefix (one read, at most one write:
    the database cache pays a commit per write). Index range queries, one per day not cached: no per-row date
    functions (on SQLite those are Python calls: seconds for 90 days of checks)."""
    key = f"status:uptime:{_generation()}:{prefix}"
    cached = cache.get(key) or {}
    result, missing = {}, False
    for day in dates:
        value = cached.get(day.isoformat())
        if value is None or day == today:
            value = compute(day)
            missing = missing or day != today
        result[day] = value
    if missing:
        closed = {day.isoformat(): value for day, value in result.items() if day != today}
        cache.set(key, closed, CLOSED_DAY_SECONDS)
    return result


def _called_days(pid, since, until) -> set:
    """UTC dates in [since, until) with at least one attempt: a skip scan on the (provider, created_at) index, one
    seek per measured day (plus one), instead of reading every probe of the window."""
    days, cursor = set(), since
    while cursor < until:
        first = (
            Attempt.objects.filter(provider_id=pid, created_at__gte=cursor, created_at__lt=until)
            .order_by("created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        if first is None:
            break
        day = first.astimezone(UTC).date()
        days.add(day)
        cursor = _bounds(day)[1]
    return days


def provider_measured_days(provider_ids, days, now) -> dict[int, set]:
    """Per provider, the UTC dates on which it was called (an Attempt) or changed state (a HealthEvent).
    Finished days are cached (one entry per provider), so a build usually scans today only."""
    dates, today = _days(now, days), now.astimezone(UTC).date()
    window_start, today_start = _bounds(dates[0])[0], _bounds(today)[0]
    HealthEvent = health_model()
    changed = {pid: set() for pid in provider_ids}
    if HealthEvent is not None and provider_ids:
        events = HealthEvent.objects.filter(provider_id__in=provider_ids, created_at__gte=window_start)
        for pid, at in events.values_list("provider_id", "created_at"):  # transitions: few rows
            changed[pid].add(at.astimezone(UTC).date())
    generation, measured = _generation(), {}
    for pid in provider_ids:
        key = f"status:uptime:{generation}:called:v2:{pid}"
        cached = cache.get(key)
        if cached and cached["through"] == (today - timedelta(days=1)).isoformat():
            closed = {date.fromisoformat(d) for d in cached["days"]}
        else:
            closed = _called_days(pid, window_start, today_start)
            stored = {"through": (today - timedelta(days=1)).isoformat(), "days": sorted(d.isoformat() for d in closed)}
            cache.set(key, stored, CLOSED_DAY_SECONDS)
        called = closed | _called_days(pid, today_start, now + timedelta(microseconds=1))
        measured[pid] = {d for d in called | changed[pid] if d >= dates[0]}
    return measured


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
    dates, today = _days(now, days), now.astimezone(UTC).date()

    def counts(day):
        start, end = _bounds(day)
        rows = (
            OriginCheck.objects.filter(created_at__gte=start, created_at__lt=min(end, now))
            .values_list("outcome")
            .annotate(n=Count("id"))
            .order_by()
        )
        return dict(rows) or {"none": 0}  # {} would read as "not cached"

    per_day = _per_day("website:v1", dates, today, counts)
    values, maintenance = [], []
    for day in dates:
        found = per_day[day]
        total = sum(found.values())
        values.append(round(found.get(OriginCheck.Outcome.UP, 0) / total, 4) if total else None)
        maintenance.append(bool(found.get(OriginCheck.Outcome.MAINTENANCE)))
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


def uptime_warm(now=None):
    """Fill the finished-days caches off the request path (the worker, every minute after its website check)."""
    from steadfast.providers.models import Provider

    now = now or timezone.now()
    provider_bars(list(Provider.objects.filter(enabled=True).values_list("id", flat=True)), 90, now)
    website_bars(90, now)
