"""pytest fixtures for the fakes.

Import them into a tests/conftest.py: `from steadfast.fakes.testing import fake_server  # noqa: F401`.
"""

import pytest

from steadfast.fakes.server import FakeServer


@pytest.fixture
def fake_server():
    """A generic fake on 127.0.0.1 (a free port), answering GET /ping; stopped after the test."""
    fake = FakeServer().start()
    yield fake
    fake.stop()
