"""Liveness and readiness for load balancers and orchestrators.

healthz: the process is alive and answering. It touches neither database nor cache, so an outage of either never
makes an orchestrator restart healthy web processes (which would only add a restart storm to the outage).

readyz: this node can serve shoppers right now: the database and the cache both answer. On failure it returns 503
and names the failing check, so the load balancer stops routing here and an operator sees what broke. The response
carries only the error class; the full message (which can name internal hosts) goes to the log.
"""

import logging
import secrets
import time

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


class CacheMismatch(Exception):
    """The cache accepted a write but did not give the value back (e.g. a backend told to ignore its errors)."""


# What a failing backend raises: the database (and the database cache) DatabaseError; django-redis wraps redis-py
# errors in ConnectionInterrupted, but redis-py errors can also escape directly (e.g. from the connection pool);
# OSError covers socket-level failures of other cache backends.
DATABASE_ERRORS = (DatabaseError,)
CACHE_ERRORS = (ConnectionInterrupted, RedisError, DatabaseError, OSError, CacheMismatch)


@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request):
    checks = {
        "database": _timed("database", _database_roundtrip, DATABASE_ERRORS),
        "cache": _timed("cache", _cache_roundtrip, CACHE_ERRORS),
    }
    failing = [name for name, check in checks.items() if not check["ok"]]
    body = {"status": "unavailable" if failing else "ok", "checks": checks, "failing": failing}
    from steadfast.heartbeat.beats import heartbeats_status

    body["background"] = heartbeats_status()  # detail only: a dead worker must not take web nodes out of rotation
    return JsonResponse(body, status=503 if failing else 200)


def _timed(name, roundtrip, errors) -> dict:
    started = time.perf_counter()
    try:
        roundtrip()
    except errors as error:
        log.warning("readyz: %s check failed: %s: %s", name, type(error).__name__, error)
        return {"ok": False, "error": type(error).__name__}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def _database_roundtrip():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache_roundtrip():
    # A fresh key and value per probe: several nodes probing at once must not vouch for each other's writes.
    key, value = f"readyz:{secrets.token_hex(8)}", secrets.token_hex(8)
    cache.set(key, value, 10)
    if cache.get(key) != value:
        raise CacheMismatch("the cache did not return the value just written")
    cache.delete(key)
