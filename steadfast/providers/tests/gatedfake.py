"""A fake provider that holds every answer until the test opens its gate: a trial call stays in flight for as long
as the test needs, and `arrived` counts the requests that reached it (answered or still held)."""

import threading

import pytest

from steadfast.fakes.server import FakeServer
from steadfast.providers.errors import Unavailable
from steadfast.providers.selectors import provider_state
from steadfast.providers.tests.adapters import ping
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


def breaker_opened(make_provider, fake: GatedFake, **config):
    """A provider on `fake` whose breaker three 503s in a row have opened; the gate is left closed (answers held)."""
    provider = make_provider(api_base=fake.url, **config)
    fake.set_fault("status", status=503, times=3)
    fake.gate.set()
    for _ in range(3):
        with pytest.raises(Unavailable):
            ping(provider)
    assert provider_state(provider) == "open"
    fake.gate.clear()
    return provider
