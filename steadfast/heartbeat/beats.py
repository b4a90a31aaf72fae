"""Dead-man heartbeats of the background machinery: a missing beat is how a stopped worker or scheduler is noticed.

The Huey scheduler enqueues `heartbeat_task` every minute (that enqueue is the "scheduler" beat) and a worker runs
it (the "worker" beat). A scheduler beat without a worker beat means every worker is stuck or gone; no beats at all
means the consumer is not running. Beats live in the shared cache, so every web node reports the same thing.

Shown as detail on /readyz (never as a failure there: a dead worker must not take the web nodes out of the load
balancer) and read from outside by steadfast-watch, which reports the shop as degraded.
"""

import logging
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.utils import timezone
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

log = logging.getLogger(__name__)
CACHE_ERRORS = (ConnectionInterrupted, RedisError, DatabaseError, OSError)  # as readyz (status/views.py)
KINDS = ("scheduler", "worker")


def heartbeat_record(kind: str, now: datetime | None = None) -> None:
    cache.set(f"heartbeat:{kind}", (now or timezone.now()).isoformat(), None)


def heartbeats_status(now: datetime | None = None) -> dict:
    """{"ok": bool, "stale_after_seconds": N, "scheduler": {...}, "worker": {...}}; never raises."""
    now = now or timezone.now()
    stale_after = settings.HEARTBEAT_STALE_SECONDS
    try:
        beats = cache.get_many([f"heartbeat:{kind}" for kind in KINDS])
    except CACHE_ERRORS as error:
        log.warning("heartbeats: cache failed: %s", type(error).__name__)
        return {"ok": False, "error": type(error).__name__, "stale_after_seconds": stale_after}
    body = {"ok": True, "stale_after_seconds": stale_after}
    for kind in KINDS:
        last = beats.get(f"heartbeat:{kind}")
        age = round((now - datetime.fromisoformat(last)).total_seconds()) if last else None
        ok = age is not None and age <= stale_after
        body[kind] = {"ok": ok, "last_beat": last, "age_seconds": age}
        body["ok"] = body["ok"] and ok
    return body
