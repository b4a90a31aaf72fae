"""Liveness and readiness for load balancers and orchestrators."""

import time

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request):
    checks = {"database": _check_database(), "cache": _check_cache()}
    ready = all(check["ok"] for check in checks.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503)


def _timed(fn):
    started = time.perf_counter()
    try:
        fn()
    except (DatabaseError, OSError, ConnectionError) as error:
        return {"ok": False, "error": f"{type(error).__name__}: {error}"[:300]}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def _check_database():
    def query():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()

    return _timed(query)


def _check_cache():
    def roundtrip():
        cache.set("readyz", "1", 10)
        if cache.get("readyz") != "1":
            raise ConnectionError("cache did not return the value just written")

    return _timed(roundtrip)
