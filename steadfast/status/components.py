"""The one place that reads provider health (owned by providers/) for the status page, banner and incidents.

Every breaker transition is a providers.HealthEvent(provider, from_state, to_state, created_at), so the latest
event of a provider is its current state and the events over time give its uptime.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from steadfast.providers import selectors as provider_selectors
from steadfast.providers.models import Provider
from steadfast.providers.registry import adapter_class
from steadfast.providers.selectors import providers_available

# Live breaker state from the shared store when the provider core offers it; else the latest HealthEvent.
provider_state = getattr(provider_selectors, "provider_state", None)

OUT_STATES = {"open", "half_open"}
DAY = timedelta(days=1)


def health_model():
    try:
        return apps.get_model("providers", "HealthEvent")
    except LookupError:  # provider health not installed yet: every provider counts as healthy
        return None


@dataclass
class ProviderHealth:
    provider: Provider
    state: str = "closed"
    since: datetime | None = None

    @property
    def out(self):
        return self.state in OUT_STATES


def provider_health(providers) -> dict[int, ProviderHealth]:
    """Current breaker state of each provider (the shared breaker store), and since when (its latest event)."""
    providers = list(providers)
    HealthEvent = health_model()
    if HealthEvent is None or not providers:
        return {p.id: ProviderHealth(p) for p in providers}
    latest = HealthEvent.objects.filter(provider=OuterRef("pk")).order_by("-created_at", "-id")
    rows = (
        Provider.objects.filter(pk__in=[p.id for p in providers])
        .annotate(h_state=Subquery(latest.values("to_state")[:1]), h_since=Subquery(latest.values("created_at")[:1]))
        .values_list("pk", "h_state", "h_since")
    )
    by_id = {p.id: p for p in providers}
    result = {}
    for pk, state, since in rows:
        provider = by_id[pk]
        live = provider_state(provider) if provider_state else None
        result[pk] = ProviderHealth(provider, live or state or "closed", since)
    return result


def out_since(provider, now=None) -> datetime | None:
    """When the provider's current outage began (first event of the unbroken open/half-open run), or None."""
    HealthEvent = health_model()
    if HealthEvent is None:
        return None
    began = None
    events = (
        HealthEvent.objects.filter(provider=provider)
        .order_by("-created_at", "-id")
        .values_list("to_state", "created_at")
    )
    for state, created_at in events[:200]:
        if state not in OUT_STATES:
            break
        began = created_at
    return began


def is_online_payment(provider) -> bool:
    try:
        return not getattr(adapter_class(provider.adapter), "offline", False)
    except (ImproperlyConfigured, ImportError):
        return True


def payment_health():
    """(online providers, those of them healthy now, offline providers available) among enabled payment providers."""
    enabled = list(Provider.objects.filter(kind=Provider.Kind.PAYMENT, enabled=True).order_by("priority", "name"))
    available = {p.id for p in providers_available(Provider.Kind.PAYMENT)}
    online = [p for p in enabled if is_online_payment(p)]
    health = provider_health(online)
    healthy = [p for p in online if p.id in available and not health[p.id].out]
    offline = [p for p in enabled if not is_online_payment(p) and p.id in available]
    return online, healthy, offline


def uptime_days(provider_ids, days=90, now=None) -> dict[int, list]:
    """Per provider, the fraction of each of the last `days` UTC days not spent open/half-open.

    One query reads the events in the window; one more reads the state each provider entered the window in.
    """
    now = now or timezone.now()
    today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start = today - (days - 1) * DAY
    result = {pid: [1.0] * days for pid in provider_ids}
    HealthEvent = health_model()
    if HealthEvent is None or not provider_ids:
        return result
    before = HealthEvent.objects.filter(provider=OuterRef("pk"), created_at__lt=start).order_by("-created_at", "-id")
    initial = dict(
        Provider.objects.filter(pk__in=provider_ids)
        .annotate(s=Subquery(before.values("to_state")[:1]))
        .values_list("pk", "s")
    )
    timeline = {pid: [(start, initial.get(pid) or "closed")] for pid in provider_ids}
    events = HealthEvent.objects.filter(provider_id__in=provider_ids, created_at__gte=start, created_at__lte=now)
    for pid, state, at in events.order_by("created_at", "id").values_list("provider_id", "to_state", "created_at"):
        timeline[pid].append((at, state))
    for pid, points in timeline.items():
        points.append((now, None))
        down = [0.0] * days
        for (at, state), (nxt, _next_state) in zip(points, points[1:], strict=False):
            if state not in OUT_STATES:
                continue
            _spread(down, start, at, nxt)
        for i in range(days):
            day_start = start + i * DAY
            length = (min(day_start + DAY, now) - day_start).total_seconds()
            result[pid][i] = 1.0 if length <= 0 else max(0.0, 1 - down[i] / length)
    return result


def _spread(down, start, begin, end):
    """Add the seconds of [begin, end) to the day buckets they fall in."""
    while begin < end:
        index = int((begin - start) // DAY)
        day_end = start + (index + 1) * DAY
        chunk_end = min(day_end, end)
        if 0 <= index < len(down):
            down[index] += (chunk_end - begin).total_seconds()
        begin = chunk_end


@dataclass
class ComponentRow:
    id: str
    name: str
    status: str = "operational"
    updated_at: datetime | None = None
    provider_ids: list = field(default_factory=list)
    description: str = ""
