import pytest

from steadfast.payments.tests.conftest import fake_stripe, stripe_provider  # noqa: F401  (fixtures)


@pytest.fixture
def probe_shop(live_server, shop_defaults, stripe_provider, settings):  # noqa: F811
    """The live shop with the seeded offline methods and deliveries plus Stripe (on its fake), the probe pointed
    at the live server."""
    settings.SYNTHETIC_CHECKOUT_URL = live_server.url
    settings.RATELIMIT_PLACE_ORDER = "1000/m"
    return live_server
