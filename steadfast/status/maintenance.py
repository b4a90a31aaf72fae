"""Scheduled maintenance windows: planned, announced, listed and cancelled.

Each window is a MaintenanceWindow row. Enforcement stays where it was: the earliest window that is not cancelled
and not over is mirrored into ShopMode.scheduled_* (read by selectors.current_mode, applied by the tick), so
several windows can be planned ahead while the mode code keeps handling exactly one.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from steadfast.status.models import MaintenanceWindow, Mode, ShopMode


def _default_title(mode):
    if mode == Mode.MAINTENANCE:
        return _("Scheduled maintenance")
    return _("Scheduled: %(mode)s") % {"mode": Mode(mode).label}


def windows_pending(now=None):
    """Windows not cancelled and not over yet, earliest first."""
    now = now or timezone.now()
    return MaintenanceWindow.objects.filter(cancelled_at__isnull=True).filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=now)
    )


def _changed():
    from steadfast.status.selectors import mode_cache_clear
    from steadfast.status.snapshot import snapshot_clear  # the snapshot reads this module

    mode_cache_clear()
    snapshot_clear()


def maintenance_sync(now=None):
    """Mirror the earliest pending window into ShopMode.scheduled_* (or clear them when none is left)."""
    now = now or timezone.now()
    window = windows_pending(now).first()
    values = (
        {"scheduled_mode": window.mode, "scheduled_start": window.starts_at, "scheduled_end": window.ends_at}
        if window
        else {"scheduled_mode": "", "scheduled_start": None, "scheduled_end": None}
    )
    ShopMode.objects.get_or_create(pk=1)
    ShopMode.objects.filter(pk=1).update(**values)


def maintenance_schedule(
    mode, starts_at, ends_at, *, title="", message="", components=None, author="", now=None
) -> MaintenanceWindow:
    """Plan a window. Refuses one in the past or overlapping another planned window (the shop can only be in one
    mode at a time, and a silent replacement would unannounce a window customers were told about)."""
    now = now or timezone.now()
    if starts_at is None:
        raise ValidationError(_("A scheduled window needs a start time."))
    if ends_at is not None and ends_at <= starts_at:
        raise ValidationError(_("The scheduled end must be after the start."))
    if ends_at is not None and ends_at <= now:
        raise ValidationError(_("The scheduled window is already over."))
    overlapping = windows_pending(now).filter(Q(ends_at__isnull=True) | Q(ends_at__gt=starts_at))
    if ends_at is not None:
        overlapping = overlapping.filter(starts_at__lt=ends_at)
    clash = overlapping.first()
    if clash:
        raise ValidationError(
            _("It overlaps window %(id)s (%(title)s); cancel that one first.") % {"id": clash.id, "title": clash.title}
        )
    with transaction.atomic():
        window = MaintenanceWindow.objects.create(
            title=title.strip() or _default_title(mode),
            message=message.strip(),
            mode=mode,
            starts_at=starts_at,
            ends_at=ends_at,
            components=list(components) if components else ["website"],
            author=author,
        )
        maintenance_sync(now)
        transaction.on_commit(_changed)
    _changed()
    return window


def maintenance_cancel(window_id, now=None, actor="") -> MaintenanceWindow:
    now = now or timezone.now()
    with transaction.atomic():
        try:
            window = MaintenanceWindow.objects.select_for_update().get(pk=window_id)
        except (MaintenanceWindow.DoesNotExist, ValueError):
            raise ValidationError(_("There is no maintenance window %(id)s.") % {"id": window_id}) from None
        if window.cancelled_at is not None:
            raise ValidationError(_("Window %(id)s is already cancelled.") % {"id": window.id})
        if window.ends_at is not None and window.ends_at <= now:
            raise ValidationError(_("Window %(id)s is already over.") % {"id": window.id})
        planned_end, running = window.ends_at, window.starts_at <= now
        window.cancelled_at = now
        if running:
            window.ends_at = now  # cancelled while running: it ends now
        window.save(update_fields=["cancelled_at", "ends_at", "updated_at"])
        maintenance_sync(now)
        row = ShopMode.objects.get(pk=1)
        if running and row.mode == window.mode and row.until == planned_end:
            # The tick put the shop in the window's mode until its end: reopen now. A mode staff set by hand
            # (another `until`) is theirs to change.
            from steadfast.status.services import shop_mode_set  # services imports this module

            shop_mode_set(
                Mode.OPEN, actor=actor or "system", reason=_("Maintenance window %(id)s cancelled.") % {"id": window.id}
            )
        transaction.on_commit(_changed)
    _changed()
    return window


def maintenance_cancel_mirrored(now=None):
    """The admin cleared the scheduled window on the shop mode: cancel the window it was showing."""
    window = windows_pending(now).first()
    if window is not None:
        maintenance_cancel(window.id, now)


def window_status(window, now) -> str:
    """Statuspage's scheduled-maintenance status (cancelled windows are not published)."""
    if window.cancelled_at is not None:
        return "cancelled"
    if now < window.starts_at:
        return "scheduled"
    if window.ends_at is None or now < window.ends_at:
        return "in_progress"
    return "completed"


def window_message(now=None) -> str:
    """The public message of the window in force now (the tick puts it on the shop mode when the window starts)."""
    now = now or timezone.now()
    window = windows_pending(now).filter(starts_at__lte=now).first()
    return window.message if window else ""


def _iso(value):
    return value.isoformat() if value else None


def window_dict(window, now) -> dict:
    status = window_status(window, now)
    # Statuspage-style updates: announced, started, completed (or cancelled), newest first.
    updates = [{"status": "scheduled", "at": window.created_at, "body": window.message or window.title}]
    if status in ("in_progress", "completed") or (status == "cancelled" and window.starts_at <= window.cancelled_at):
        updates.append({"status": "in_progress", "at": window.starts_at, "body": _("The maintenance has started.")})
    if status == "completed":
        updates.append({"status": "completed", "at": window.ends_at, "body": _("The maintenance is complete.")})
    if status == "cancelled":
        updates.append({"status": "cancelled", "at": window.cancelled_at, "body": _("This maintenance is cancelled.")})
    labels = {
        "scheduled": _("Scheduled"),
        "in_progress": _("In progress"),
        "completed": _("Completed"),
        "cancelled": _("Cancelled"),
    }
    return {
        "id": f"m{window.id}",
        "name": window.title,
        "message": window.message,
        "mode": window.mode,
        "status": status,
        "status_label": str(labels[status]),
        "scheduled_for": _iso(window.starts_at),
        "scheduled_until": _iso(window.ends_at),
        "created_at": _iso(window.created_at),
        "updated_at": _iso(max(u["at"] for u in updates)),
        "cancelled_at": _iso(window.cancelled_at),
        "components": list(window.components or []),
        "updates": [
            {
                "id": f"m{window.id}-{u['status']}",
                "status": u["status"],
                "status_label": str(labels[u["status"]]),
                "body": u["body"],
                "created_at": _iso(u["at"]),
            }
            for u in sorted(updates, key=lambda u: u["at"], reverse=True)
        ],
    }


def maintenances_for_page(now, days=90) -> list[dict]:
    """Windows pending now, or over/cancelled within `days` (newest start first), at most 50."""
    since = now - timedelta(days=days)
    windows = MaintenanceWindow.objects.filter(Q(ends_at__isnull=True) | Q(ends_at__gte=since)).order_by(
        "-starts_at", "-id"
    )[:50]
    return [window_dict(w, now) for w in windows]
