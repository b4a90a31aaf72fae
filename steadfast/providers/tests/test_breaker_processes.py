"""Two OS processes share one breaker: the one the shop's configuration gives (the database cache on SQLite,
Redis when REDIS_URL is set; CI runs both) and, explicitly, the database cache on whatever database runs the tests.
A breaker whose state never left its process would let the second process keep hammering a dead provider."""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from steadfast.fakes.server import FakeServer

ROOT = Path(__file__).resolve().parents[3]
WAIT = 60


def shop_env(store):
    from django.db import connection, connections

    name = connections.settings["default"]["NAME"]
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="steadfast.settings", PYTHONUNBUFFERED="1")
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}"))
    else:
        env["DATABASE_URL"] = f"sqlite:///{name}"
    if store == "database":
        env.pop("REDIS_URL", None)  # settings fall back to the database cache
    return env


def process(env, code, api_base, count):
    done = subprocess.run([sys.executable, "-m", "steadfast.providers.tests.breakerkit", code, api_base, str(count)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=WAIT)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("store", ["configured", "database"])
def test_a_breaker_opened_by_one_process_stops_the_other(transactional_db, store, settings):
    fake = FakeServer().start()
    try:
        fake.set_fault("status", status=503)
        env, code = shop_env(store), f"shared-{store}"
        if store == "database":  # a test database made for Redis has no cache table: as a deployment would, make it
            subprocess.run([sys.executable, "manage.py", "createcachetable"], cwd=ROOT, env=env, check=True,
                           capture_output=True, timeout=WAIT)
        first = process(env, code, fake.url, settings.BREAKER_CONSECUTIVE)
        assert first == {"outcomes": ["Unavailable"] * settings.BREAKER_CONSECUTIVE, "state": "open"}, first
        sent = fake.requests
        second = process(env, code, fake.url, 2)  # another OS process, fresh memory: it only knows the shared store
        assert second == {"outcomes": ["BreakerOpen", "BreakerOpen"], "state": "open"}, second
        assert fake.requests == sent, "the second process called a provider the first one had taken out"
    finally:
        fake.stop()
