"""healthz answers whenever the process does; readyz says 503 and names the check when a backend is down."""

from contextlib import contextmanager

import pytest
from django.db import connection, connections

from steadfast.cacheconf import redis_caches

# A real closed port on this machine: connecting is refused at once, nothing leaves 127.0.0.1.
DEAD_REDIS = redis_caches("redis://127.0.0.1:1/0", timeout=1)


@contextmanager
def database_unreachable(tmp_path):
    """Point this thread's default connection at a database that cannot be reached, then put the real one back.

    The real connection is swapped out, not closed: closing it would end the test's transaction (and destroy an
    in-memory SQLite test database).
    """
    real, real_settings = connections["default"], connections.settings["default"]
    if connection.vendor == "postgresql":
        broken = {**real_settings, "HOST": "127.0.0.1", "PORT": "1"}
    else:
        broken = {**real_settings, "NAME": str(tmp_path / "no-such-dir" / "db.sqlite3")}
    connections.settings["default"] = broken
    connections["default"] = connections.create_connection("default")
    try:
        yield
    finally:
        connections["default"].close()
        connections.settings["default"] = real_settings
        connections["default"] = real


@pytest.mark.django_db
def test_readyz_is_200_with_detail_per_check_when_all_is_up(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["failing"] == []
    assert body["checks"]["database"]["ok"] is True and body["checks"]["cache"]["ok"] is True
    assert "ms" in body["checks"]["database"] and "ms" in body["checks"]["cache"]
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_is_503_naming_the_cache_when_redis_is_unreachable(client, settings):
    settings.CACHES = DEAD_REDIS

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable" and body["failing"] == ["cache"]
    # redis-py's ConnectionError, raised directly or wrapped by django-redis depending on the operation.
    assert body["checks"]["cache"]["ok"] is False
    assert body["checks"]["cache"]["error"] in ("ConnectionError", "ConnectionInterrupted")
    assert body["checks"]["database"]["ok"] is True


@pytest.mark.django_db
def test_readyz_is_503_naming_the_database_when_it_is_unreachable(client, tmp_path):
    with database_unreachable(tmp_path):
        response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert "database" in body["failing"]
    assert body["checks"]["database"] == {"ok": False, "error": "OperationalError"}
    # The reason is logged, not published: no host names or paths in the response.
    assert "127.0.0.1" not in response.content.decode() and "no-such-dir" not in response.content.decode()


@pytest.mark.django_db
def test_database_is_back_after_the_outage_test(client):
    """Guards the helper above: the real connection must be restored for everything that follows."""
    assert client.get("/readyz").status_code == 200


@pytest.mark.django_db
def test_healthz_is_200_even_with_database_and_cache_down(client, settings, tmp_path):
    settings.CACHES = DEAD_REDIS
    with database_unreachable(tmp_path):
        response = client.get("/healthz")

    assert response.status_code == 200 and response.json() == {"status": "ok"}
