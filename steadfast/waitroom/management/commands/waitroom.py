from django.core.management.base import BaseCommand

from steadfast.waitroom import room
from steadfast.waitroom.services import room_switch


class Command(BaseCommand):
    help = ("The waiting room: show its state, or set the staff switch for every node: on (queue new visitors now), "
            "auto (queue only over WAITROOM_MAX_INFLIGHT), off (never queue). Also in the admin: Waiting room.")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["show", "on", "auto", "off", "reset"])
        parser.add_argument("--reason", default="", help="Why (kept in the audit log with the change).")

    def handle(self, *args, action, reason, **options):
        if action in room.STATES:
            room_switch(action, reason=reason, actor="manage.py waitroom")
        elif action == "reset":
            room.reset()
        state = room.snapshot()
        self.stdout.write(f"switch: {state['mode']}; active: {state['active']}; in flight: {state['inflight']} "
                          f"(limit {state['limit'] or 'none'}); waiting: {state['waiting']}; "
                          f"admitted per second: {state['rate']}")
