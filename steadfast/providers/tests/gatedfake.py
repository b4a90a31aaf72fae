"""A fake provider that holds every answer until the test opens its gate: a trial call stays in flight for as long
as the test needs, and `arrived` counts the requests that reached it (answered or still held)."""

import threading

from steadfast.fakes.server import FakeServer
from steadfast.testing import WAIT_SECONDS


class GatedFake(FakeServer):
    def __init__(self):
        super().__init__()
        self.gate = threading.Event()
        self.arrived = 0
        self._arrivals = threading.Lock()

    def handle(self, request):
        with self._arrivals:
            self.arrived += 1
        self.gate.wait(WAIT_SECONDS)
        return super().handle(request)
