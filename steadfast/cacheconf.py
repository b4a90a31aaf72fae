"""The CACHES setting for Redis, in one place so tests that simulate a dead Redis build exactly what settings do."""


def redis_caches(location, prefix="steadfast", timeout=2):
    strict = {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": location,
        "KEY_PREFIX": prefix,
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": timeout, "SOCKET_TIMEOUT": timeout},
    }
    return {
        # Strict: the breaker store and /readyz must see a Redis outage.
        "default": strict,
        # Lenient: page parts, shop mode, banner, sessions' cache and rate-limit counters degrade to "not cached".
        "lenient": {**strict, "OPTIONS": {**strict["OPTIONS"], "IGNORE_EXCEPTIONS": True}},
    }
