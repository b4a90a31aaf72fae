from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from steadfast.status.maintenance import maintenance_cancel, window_status
from steadfast.status.models import MaintenanceWindow, Mode, ModeChange
from steadfast.status.selectors import current_mode
from steadfast.status.services import shop_mode_schedule, shop_mode_set


def parse_time(value):
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not an ISO date and time, e.g. 2026-05-01T14:30+02:00") from None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


class Command(BaseCommand):
    help = "Show or change the shop mode (open, degraded, catalog_only, phone_orders, maintenance)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        set_ = sub.add_parser("set", help="Change the mode now.")
        set_.add_argument("mode", help=", ".join(Mode.values))
        set_.add_argument("--reason", required=True, help="Why (kept in the audit log).")
        set_.add_argument("--until", help="Return to open at this ISO time.")
        set_.add_argument("--eta", help="Expected back (shown to customers); defaults to --until.")
        set_.add_argument("--message", help="Message to customers.")
        schedule = sub.add_parser("schedule", help="Plan a mode window.")
        schedule.add_argument("mode")
        schedule.add_argument("--start", required=True)
        schedule.add_argument("--end")
        schedule.add_argument("--reason", required=True)
        schedule.add_argument("--title", default="", help="Public title (default: Scheduled maintenance).")
        schedule.add_argument("--message", default="", help="Public message shown on the status page.")
        schedule.add_argument(
            "--component", action="append", default=None, help="Affected component id (repeat; default website)."
        )
        sub.add_parser("show", help="Print the mode in force and the latest changes.")
        sub.add_parser("windows", help="List planned, running and recent scheduled windows.")
        cancel = sub.add_parser("cancel", help="Cancel a planned (or running) window by its number.")
        cancel.add_argument("window", type=int)

    def handle(self, *args, action, **options):
        try:
            if action == "set":
                shop_mode_set(
                    options["mode"],
                    None,
                    options["reason"],
                    parse_time(options["until"]),
                    eta=parse_time(options["eta"]),
                    message=options["message"],
                    actor="cli",
                )
            elif action == "schedule":
                shop_mode_schedule(
                    options["mode"],
                    parse_time(options["start"]),
                    parse_time(options["end"]),
                    reason=options["reason"],
                    actor="cli",
                    title=options["title"],
                    message=options["message"],
                    components=options["component"],
                )
            elif action == "cancel":
                window = maintenance_cancel(options["window"], actor="cli")
                self.stdout.write(f"cancelled window {window.id}: {window.title}")
            elif action == "windows":
                self._windows()
                return
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        mode = current_mode()
        self.stdout.write(f"mode: {mode.mode}")
        if mode.message:
            self.stdout.write(f"message: {mode.message}")
        if mode.eta:
            self.stdout.write(f"eta: {mode.eta.isoformat()}")
        if mode.until:
            self.stdout.write(f"until: {mode.until.isoformat()}")
        if action == "show":
            for change in ModeChange.objects.all()[:10]:
                self.stdout.write(
                    f"{change.created_at:%Y-%m-%d %H:%M} {change.actor}: "
                    f"{change.from_mode} -> {change.to_mode} ({change.reason})"
                )

    def _windows(self):
        now = timezone.now()
        windows = MaintenanceWindow.objects.order_by("-starts_at", "-id")[:20]
        if not windows:
            self.stdout.write("no scheduled windows")
        for window in windows:
            end = window.ends_at.isoformat() if window.ends_at else "until further notice"
            self.stdout.write(
                f"{window.id:>4}  {window_status(window, now):<11}  {window.mode:<12}  "
                f"{window.starts_at.isoformat()} -> {end}  {window.title}"
            )
