"""What staff see of each accounting target: backlog size, oldest unsynced change, whether it counts as down; and
the watch that alerts staff once when a backlog gets too old (and once when it clears)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Min, Q
from django.utils import timezone

from steadfast.accounting.models import Conflict, StockImport, SyncRow, SyncTarget
from steadfast.notify.alerts import staff_alert_add
from steadfast.providers.breaker import breaker_view
from steadfast.providers.registry import adapter_class


@dataclass(frozen=True)
class Backlog:
    target: SyncTarget
    size: int
    oldest_at: datetime | None
    conflicts: int
    down: bool
    why: str  # why it counts as down, for staff ("" when it does not)

    @property
    def age(self) -> timedelta | None:
        return timezone.now() - self.oldest_at if self.oldest_at else None

    @property
    def too_old(self) -> bool:
        return bool(self.age and self.age > timedelta(minutes=settings.ACCOUNTING_BACKLOG_ALERT_MINUTES))


def _down(target, now) -> str:
    provider = target.provider
    if not provider.enabled:
        return "disabled"
    if getattr(adapter_class(provider.adapter), "pull", False):
        limit = timedelta(minutes=settings.ACCOUNTING_1C_POLL_MINUTES)
        if target.last_poll_at is None or now - target.last_poll_at > limit:
            return "not polling"
        return ""
    state = breaker_view(provider).state
    if state != "closed":
        return f"breaker {state}"
    if target.failures:
        return "failing"
    return ""


def accounting_backlog(now=None) -> list[Backlog]:
    now = now or timezone.now()
    pending = Q(rows__state=SyncRow.State.PENDING)
    targets = SyncTarget.objects.select_related("provider").annotate(
        size=Count("rows", filter=pending), oldest=Min("rows__created_at", filter=pending),
    ).order_by("provider__priority", "provider__name")
    open_conflicts = dict(Conflict.objects.filter(resolved_at__isnull=True).values("target").annotate(n=Count("pk"))
                          .values_list("target", "n"))
    found = []
    for target in targets:
        why = _down(target, now)
        found.append(Backlog(target, target.size, target.oldest, open_conflicts.get(target.pk, 0), bool(why), why))
    return found


def held_stock_imports() -> int:
    return StockImport.objects.filter(state=StockImport.State.HELD).count()


def accounting_watch(now=None) -> list[str]:
    """One staff alert when a target's oldest unsynced change passes ACCOUNTING_BACKLOG_ALERT_MINUTES, one when
    its backlog is empty again. Returns what was written ("moysklad:start")."""
    written = []
    for backlog in accounting_backlog(now):
        target = backlog.target
        if backlog.too_old and target.alerted_at is None:
            state = "start"
        elif backlog.size == 0 and target.alerted_at is not None:
            state = "end"
        else:
            continue
        with transaction.atomic():
            # One worker wins the flip; the other changes nothing and alerts nobody.
            flipped = SyncTarget.objects.filter(pk=target.pk, alerted_at__isnull=state == "start").update(
                alerted_at=timezone.now() if state == "start" else None)
            if not flipped:
                continue
            staff_alert_add(key=f"staff_accounting:{target.pk}:{state}:{(target.alerted_at or timezone.now()):%s}",
                            kind="staff_accounting", payload={
                                "state": state, "provider": target.provider.name, "backlog": backlog.size,
                                "oldest": backlog.oldest_at.isoformat() if backlog.oldest_at else "",
                                "why": backlog.why,
                                "admin_url": settings.SITE_URL.rstrip("/") + "/admin/accounting/synctarget/"})
        written.append(f"{target.provider.code}:{state}")
    return written
