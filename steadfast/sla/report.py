"""Monthly SLA figures per provider from what the shop recorded: breaker transitions (HealthEvent) give the
downtime windows and the uptime, Attempt rows the calls and the error rate. The shop's own availability comes
from steadfast-watch (watch/sla.py), which sees it from outside."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Max, Min, Q
from django.urls import reverse
from django.utils import timezone

from steadfast.providers.models import Attempt, HealthEvent, Provider
from steadfast.status.incident_models import Incident

OUT = {"open", "half_open"}  # "disabled" is staff's decision, not the provider's failure


@dataclass
class ProviderSla:
    provider: Provider
    target_pct: float  # the provider's own contract figure (Provider.sla_target_pct, entered by staff)
    uptime_pct: float
    downtime_minutes: float
    budget_minutes: float
    calls: int
    failures: int
    # {"start", "end" (None: ongoing), "minutes", "reason", "calls", "failures", "first_failure", "last_failure",
    #  "incident"}
    windows: list = field(default_factory=list)

    @property
    def error_rate_pct(self) -> float:
        return round(100 * self.failures / self.calls, 2) if self.calls else 0.0

    @property
    def budget_left_minutes(self) -> float:
        return round(self.budget_minutes - self.downtime_minutes, 1)


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """The month (YYYY-MM) in the shop's time zone; ValueError for anything else."""
    first = datetime.strptime(month, "%Y-%m")
    start = timezone.make_aware(first)
    end = timezone.make_aware((first + timedelta(days=32)).replace(day=1))
    return start, end


def incident_public_url(incident) -> str:
    """The incident's page on the public status page: the link a provider can open from a penalty claim."""
    return settings.SITE_URL.rstrip("/") + reverse("status:incident", args=[incident.pk])


def providers_sla(month: str, now=None) -> list[ProviderSla]:
    """Each provider's month against its own contract figure."""
    start, end = month_bounds(month)
    until = min(end, now or timezone.now())
    if until <= start:
        return []
    providers = list(Provider.objects.order_by("kind", "priority", "code"))
    calls = {row["provider_id"]: row for row in Attempt.objects.filter(created_at__gte=start, created_at__lt=until)
             .values("provider_id").annotate(n=Count("pk"), failed=Count("pk", filter=Q(outcome__in=Attempt.FAILURES)))}
    measured = (until - start).total_seconds() / 60
    report = []
    for provider in providers:
        windows = _windows(provider, start, until)
        down = sum(w["minutes"] for w in windows)
        row = calls.get(provider.pk, {"n": 0, "failed": 0})
        target = float(provider.sla_target_pct)
        report.append(ProviderSla(provider, target, round(100 * (1 - down / measured), 3), round(down, 1),
                                  round(measured * (100 - target) / 100, 1), row["n"], row["failed"], windows))
    return report


def _windows(provider, start, until) -> list[dict]:
    before = HealthEvent.objects.filter(provider=provider, created_at__lt=start).order_by("-created_at", "-id").first()
    events = list(HealthEvent.objects.filter(provider=provider, created_at__gte=start, created_at__lt=until)
                  .order_by("created_at", "id"))
    windows, current = [], None
    if before is not None and before.to_state in OUT:
        current = {"start": start, "end": None, "reason": before.reason}
        windows.append(current)
    for event in events:
        if event.to_state in OUT and current is None:
            current = {"start": event.created_at, "end": None, "reason": event.reason}
            windows.append(current)
        elif event.to_state not in OUT and current is not None:
            current["end"], current = event.created_at, None
    for window in windows:
        stop = window["end"] or until
        window["minutes"] = round((stop - window["start"]).total_seconds() / 60, 1)
        # Evidence for a claim: the calls inside the window (those that failed, the first and the last of them) and
        # the incident the shop opened for it.
        failing = Q(outcome__in=Attempt.FAILURES)
        inside = Attempt.objects.filter(provider=provider, created_at__gte=window["start"], created_at__lt=stop)
        seen = inside.aggregate(
            n=Count("pk"), failed=Count("pk", filter=failing), first=Min("created_at", filter=failing),
            last=Max("created_at", filter=failing))
        window.update(calls=seen["n"], failures=seen["failed"], first_failure=seen["first"], last_failure=seen["last"])
        window["incident"] = (Incident.objects.filter(provider=provider, created_at__lt=stop)
                              .filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=window["start"]))
                              .order_by("created_at", "id").first())
    return windows
