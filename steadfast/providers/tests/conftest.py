import sqlite3
import uuid

import pytest
from django.db import connection, connections

from steadfast.fakes.testing import fake_server  # noqa: F401  (fixture)
from steadfast.providers.models import Provider
from steadfast.providers.store import store

TEST_ADAPTERS = {
    "test_ping": "steadfast.providers.tests.adapters.PingAdapter",
    "test_silent": "steadfast.providers.tests.adapters.SilentAdapter",
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



@pytest.fixture
def file_backed_sqlite(transactional_db, tmp_path):
    """Threads with their own connections need a SQLite file, as the shop has (same approach as checkout's tests).

    The in-memory test database uses SQLite's shared cache, where a second writer fails at once with "database
    table is locked" instead of waiting (the shop's file database in WAL mode waits up to OPTIONS timeout). So the
    prepared test database is copied to a file for the test. PostgreSQL needs none of this.
    """
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    memory, memory_settings = connections["default"], connections.settings["default"]
    memory.ensure_connection()
    path = tmp_path / "threads.sqlite3"
    with sqlite3.connect(path) as target:
        memory.connection.backup(target)
    target.close()
    connections.settings["default"] = {**memory_settings, "NAME": str(path)}  # new connections in threads read this
    connections["default"] = connections.create_connection("default")  # and this thread's
    try:
        yield
    finally:
        connections["default"].close()
        connections.settings["default"] = memory_settings
        connections["default"] = memory
