"""Cache, sessions and the Huey queue: Redis when REDIS_URL is set (production), else the database and a SQLite
queue file in the data folder (the demo). Called from settings.py, which assigns the names it returns."""

from steadfast.cacheconf import redis_caches
from steadfast.env import env_bool, env_int, env_str


def background(redis_url: str, data_dir) -> dict:
    """CACHES, SESSION_ENGINE, SESSION_CACHE_ALIAS and HUEY, by settings name."""
    found = _redis(redis_url) if redis_url else _database(data_dir)
    consumer = found["HUEY"]["consumer"]
    found["HUEY"]["immediate"] = env_bool("HUEY_IMMEDIATE", False)
    # A worker killed (kill -9, OOM) inside a lock_task keeps the lock forever and the job never runs again; the jobs
    # behind those locks (reconciliation, sweeps) are idempotent, so a starting worker clears stale locks.
    consumer["flush_locks"] = env_bool("HUEY_FLUSH_LOCKS", True)
    return found


def _consumer() -> dict:
    # Two threads: a long job (reconciliation while a gateway hangs) runs beside the other periodic ones
    # (probes, outbox sweep) instead of delaying them.
    return {"workers": env_int("HUEY_WORKERS", 2, 1), "worker_type": "thread"}


def _redis(url: str) -> dict:
    return {
        "CACHES": redis_caches(url, env_str("CACHE_KEY_PREFIX", "steadfast")),
        # Sessions read from Redis and survive in the database; Django logs and skips cache failures for this backend.
        "SESSION_ENGINE": "django.contrib.sessions.backends.cached_db",
        "SESSION_CACHE_ALIAS": "lenient",
        "HUEY": {"huey_class": "huey.RedisHuey", "name": env_str("HUEY_NAME", "steadfast"), "url": url,
                 "consumer": _consumer()},
    }


def _database(data_dir) -> dict:
    # A database cache is shared by every process (web and worker), which rate limits need.
    # MAX_ENTRIES well above the default 300: culling would evict live breaker state along with rate-limit keys.
    cache = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "steadfast_cache",
             "OPTIONS": {"MAX_ENTRIES": 100000}}
    return {
        "CACHES": {"default": cache, "lenient": dict(cache)},
        "SESSION_ENGINE": "steadfast.sessionstore",  # Django's db sessions, read with plain SQL (issue 16)
        "SESSION_CACHE_ALIAS": "default",  # Django's default; this engine uses no cache
        "HUEY": {"huey_class": "huey.SqliteHuey", "name": "steadfast", "filename": str(data_dir / "huey.sqlite3"),
                 "consumer": _consumer()},
    }
