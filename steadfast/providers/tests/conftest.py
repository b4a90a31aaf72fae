import uuid

import pytest

from steadfast.fakes.testing import fake_server  # noqa: F401  (fixture)
from steadfast.providers.models import Provider
from steadfast.providers.store import store

TEST_ADAPTERS = {
    "test_ping": "steadfast.providers.tests.adapters.PingAdapter",
    "test_silent": "steadfast.providers.tests.adapters.SilentAdapter",
    "test_unprobed": "steadfast.providers.tests.adapters.UnprobedAdapter",
}


@pytest.fixture(autouse=True)
def _test_adapters(settings):
    settings.STEADFAST_ADAPTERS = {**settings.STEADFAST_ADAPTERS, **TEST_ADAPTERS}


@pytest.fixture(autouse=True)
def _shared_store():
    # A test that broke the cache on purpose must not leave the next one on process-local state.
    store.retry_shared_now()
    yield
    store.retry_shared_now()


@pytest.fixture
def make_provider(fake_server):  # noqa: F811
    """make_provider(**config) -> a payment provider on the fake, with a unique code (breaker keys are per code)."""

    def make(adapter="test_ping", enabled=True, **config):
        code = f"test-{uuid.uuid4().hex[:10]}"
        config = {"api_base": fake_server.url, "connect_timeout": 1, "read_timeout": 0.5, **config}
        return Provider.objects.create(
            kind=Provider.Kind.PAYMENT, code=code, adapter=adapter, name=f"Test {code}", enabled=enabled, config=config
        )

    return make



