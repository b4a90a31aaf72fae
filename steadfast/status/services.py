"""Writes for shop modes. Every change is a ModeChange audit row written in the same transaction."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from steadfast.status.models import Mode, ModeChange, ShopMode
from steadfast.status.selectors import mode_cache_clear
from steadfast.status.snapshot import snapshot_clear


def _changed():
    mode_cache_clear()
    snapshot_clear()


def _actor(user, actor):
    if actor:
        return actor
    if user is not None and getattr(user, "is_authenticated", False):
        return user.get_username()
    return "system"


def mode_parse(value: str) -> str:
    """Accept `catalog-only` and `catalog_only`; anything else is a clear error."""
    normalised = (value or "").strip().lower().replace("-", "_")
    if normalised not in Mode.values:
        raise ValidationError(
            _("Unknown mode %(mode)s. Choose one of: %(modes)s.") % {"mode": value, "modes": ", ".join(Mode.values)}
        )
    return normalised


def shop_mode_set(
    mode, user=None, reason="", until: datetime | None = None, *, eta=None, message=None, actor="", automatic=False
) -> ShopMode:
    mode = mode_parse(mode)
    now = timezone.now()
    if until is not None and until <= now:
        raise ValidationError(_("The end time must be in the future."))
    if eta is not None and eta <= now:
        raise ValidationError(_("The expected time must be in the future."))
    with transaction.atomic():
        row, _created = ShopMode.objects.select_for_update().get_or_create(pk=1)
        previous = Mode.OPEN if row.until and now >= row.until else row.mode
        row.mode = mode
        row.until = until if mode != Mode.OPEN else None
        row.eta = eta or (until if mode != Mode.OPEN else None)
        if message is not None:
            row.message = message
        elif mode != previous:
            row.message = ""  # a message written for another mode would mislead
        row.automatic = automatic
        row.save()
        ModeChange.objects.create(
            user=user if getattr(user, "is_authenticated", False) else None,
            actor=_actor(user, actor),
            from_mode=previous,
            to_mode=mode,
            reason=reason,
        )
        transaction.on_commit(_changed)
    _changed()
    return row


def shop_mode_schedule(mode, start, end, user=None, reason="", actor="", *, title="", message="", components=None):
    """Plan a mode window (e.g. maintenance tonight 02:00-03:00): a MaintenanceWindow row, announced on the status
    page. No start means "clear the scheduled window" (the admin emptied the fields). The tick writes the audit
    rows of the mode changes themselves."""
    from steadfast.status.maintenance import maintenance_cancel_mirrored, maintenance_schedule

    mode = mode_parse(mode)
    who = _actor(user, actor)
    with transaction.atomic():
        if start is None:
            maintenance_cancel_mirrored()
        else:
            maintenance_schedule(
                mode, start, end, title=title, message=message, components=components, author=who
            )
        row = ShopMode.objects.get(pk=1)
        ModeChange.objects.create(
            user=user if getattr(user, "is_authenticated", False) else None,
            actor=who,
            from_mode=row.mode,
            to_mode=row.mode,
            reason=_("Scheduled %(mode)s from %(start)s to %(end)s. %(reason)s")
            % {"mode": mode, "start": start or "-", "end": end or "-", "reason": reason},
        )
    _changed()
    return row


def shop_mode_tick(now=None) -> str | None:
    """Make the stored mode match schedules and `until`, so the audit trail shows when the shop changed."""
    now = now or timezone.now()
    row, _created = ShopMode.objects.get_or_create(pk=1)
    start, end = row.scheduled_start, row.scheduled_end
    if row.scheduled_mode and start and start <= now and (end is None or now < end) and row.mode != row.scheduled_mode:
        from steadfast.status.maintenance import window_message

        shop_mode_set(
            row.scheduled_mode,
            until=end,
            eta=end,
            message=window_message(now) or None,
            actor="schedule",
            reason=_("Scheduled window started."),
        )
        return row.scheduled_mode
    if row.scheduled_mode and end and now >= end:
        from steadfast.status.maintenance import maintenance_sync

        with transaction.atomic():
            maintenance_sync(now)  # the next planned window, if any, takes its place
        _changed()
    row.refresh_from_db()
    if row.until and now >= row.until and row.mode != Mode.OPEN:
        # The stored row still says the old mode; record the return to open it has already made for customers.
        with transaction.atomic():
            ModeChange.objects.create(
                actor="schedule", from_mode=row.mode, to_mode=Mode.OPEN, reason=_("End time reached.")
            )
            ShopMode.objects.filter(pk=1).update(mode=Mode.OPEN, until=None, eta=None, message="", automatic=False)
        _changed()
        return Mode.OPEN
    return None
