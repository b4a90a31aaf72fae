from django.core.management.base import BaseCommand

from steadfast.waitroom import room


class Command(BaseCommand):
    help = "The waiting room: show its state, or switch queuing of new visitors on/off for every node."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["show", "on", "off", "reset"])

    def handle(self, *args, action, **options):
        if action in ("on", "off"):
            room.switch_set(action == "on")
        elif action == "reset":
            room.reset()
        self.stdout.write(f"switch: {'on' if room.switched_on() else 'off'}; active: {room.active()}; "
                          f"in flight: {room.inflight()} (limit {room.limit() or 'none'}); waiting: {room.waiting()}")
