"""What staff see on the dashboard about an outage: providers, shop mode, incidents, banner, fire drills, the outbox
and payments awaiting the provider's confirmation. Reads only; a fixed number of queries plus one breaker read
per provider (cached state, see providers.breaker)."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from steadfast.notify.models import OutboxMessage
from steadfast.payments.models import Payment
from steadfast.providers.breaker import CLOSED, DISABLED, breaker_view
from steadfast.providers.drill import FAULTS
from steadfast.providers.models import Provider, ProviderAudit
from steadfast.status.models import Incident, IncidentStatus
from steadfast.status.selectors import ModeState, current_mode

SHOWN = 8
# An outbox message due longer than this is late: the worker is not keeping up, or not running.
OUTBOX_LATE = timedelta(minutes=5)


def payments_confirming():
    """Payments whose outcome only the provider can tell us yet: the answer was lost ("unknown", and any state
    named "confirming"), or the customer came back and the provider still says pending (a status query was made).
    The one place this is defined: the dashboard card, its list and the order filter all use it."""
    waiting = [state for state in (Payment.State.UNKNOWN, "confirming") if state in Payment.State.values]
    returned_pending = Q(state=Payment.State.PENDING, checks__gt=0)
    return Payment.objects.filter(Q(state__in=waiting) | returned_pending)


@dataclass(frozen=True)
class ProviderRow:
    provider: Provider
    state: str  # closed | open | half_open | disabled
    since: datetime | None

    @property
    def out(self) -> bool:
        return self.state != CLOSED

    @property
    def kind_label(self) -> str:
        return Provider.Kind(self.provider.kind).label


@dataclass(frozen=True)
class Drill:
    provider: Provider
    fault: str
    since: datetime
    by: str


@dataclass(frozen=True)
class Outage:
    mode: ModeState
    providers: list = field(default_factory=list)
    incidents: list = field(default_factory=list)
    incidents_count: int = 0
    drills: list = field(default_factory=list)
    outbox_pending: int = 0
    outbox_late: int = 0
    outbox_dead: int = 0
    confirming: list = field(default_factory=list)
    confirming_count: int = 0

    @property
    def providers_out(self) -> list:
        return [row for row in self.providers if row.out and row.state != DISABLED]

    @property
    def all_clear(self) -> bool:
        return not (self.providers_out or self.incidents_count or self.drills or self.outbox_dead
                    or self.outbox_late or self.mode.mode != "open")


def outage_overview(now=None) -> Outage:
    now = now or timezone.now()
    outbox = OutboxMessage.objects.aggregate(
        pending=Count("pk", filter=Q(status=OutboxMessage.Status.PENDING)),
        late=Count("pk", filter=Q(status=OutboxMessage.Status.PENDING, next_attempt_at__lt=now - OUTBOX_LATE)),
        dead=Count("pk", filter=Q(status=OutboxMessage.Status.DEAD)),
    )
    open_incidents = Incident.objects.exclude(status=IncidentStatus.RESOLVED).order_by("-created_at", "-pk")
    confirming = payments_confirming().select_related("order", "provider").order_by("updated_at", "pk")
    confirming_rows = list(confirming[:SHOWN])
    return Outage(
        mode=current_mode(now),
        providers=_provider_rows(),
        incidents=list(open_incidents[:SHOWN]),
        incidents_count=open_incidents.count(),
        drills=_running_drills(),
        outbox_pending=outbox["pending"],
        outbox_late=outbox["late"],
        outbox_dead=outbox["dead"],
        confirming=confirming_rows,
        confirming_count=len(confirming_rows) if len(confirming_rows) < SHOWN else confirming.count(),
    )


def _provider_rows() -> list[ProviderRow]:
    rows = []
    for provider in Provider.objects.order_by("kind", "priority", "name"):
        if not provider.enabled:
            rows.append(ProviderRow(provider, DISABLED, None))
            continue
        view = breaker_view(provider)
        since = datetime.fromtimestamp(view.since, UTC) if view.state != CLOSED and view.since else None
        rows.append(ProviderRow(provider, view.state, since))
    # Out first, so the dashboard leads with what is broken.
    return sorted(rows, key=lambda row: (row.state == CLOSED, row.state == DISABLED))


def _running_drills() -> list[Drill]:
    """A drill runs from its start audit row until an end row for the same provider (none is kept elsewhere)."""
    drill_actions = (ProviderAudit.Action.DRILL_START, ProviderAudit.Action.DRILL_END)
    latest = ProviderAudit.objects.filter(provider=OuterRef("pk"), action__in=drill_actions).order_by("-created_at",
                                                                                                     "-pk")
    providers = Provider.objects.annotate(last_drill=Subquery(latest.values("pk")[:1])).exclude(last_drill=None)
    audits = ProviderAudit.objects.filter(pk__in=providers.values("last_drill"),
                                          action=ProviderAudit.Action.DRILL_START).select_related("provider")
    drills = []
    for audit in audits.order_by("created_at"):
        fault = (audit.details or {}).get("fault", "")
        label = FAULTS[fault][0] if fault in FAULTS else fault
        drills.append(Drill(audit.provider, str(label), audit.created_at, audit.actor))
    return drills
