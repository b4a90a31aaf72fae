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


WEBHOOK_SECRET = "whsec_test_steadfast"
STRIPE_KEY = "sk_test_steadfast"


@pytest.fixture
def fake_stripe():
    """A Stripe fake on 127.0.0.1 expecting STRIPE_KEY and signing webhooks with WEBHOOK_SECRET (no webhook_url:
    set fake_stripe.webhook_url to have the pay page deliver them)."""
    from steadfast.fakes.stripe import FakeStripe

    fake = FakeStripe(webhook_secret=WEBHOOK_SECRET, api_key=STRIPE_KEY).start()
    yield fake
    fake.stop()
