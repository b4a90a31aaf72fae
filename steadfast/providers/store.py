"""Where breaker state lives.

The shared store is the Django cache: the database cache by default, Redis when REDIS_URL is set, so every
process and node sees the same breaker. Every value read from or written to it is mirrored in process memory.
When the shared store fails (Redis down, database cache table locked), the breaker carries on with that
mirror and logs a warning: the last state this process saw survives (an open breaker stays open), and a
failing store never raises into checkout. After a failure the shared store is left alone for a few seconds so
that a hung Redis does not cost every customer its socket timeout.
"""

import logging
import threading
import time

from django.core.cache import cache
from django.db import DatabaseError
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

# What a cache backend raises when its server is gone. Listed, not `except Exception`: a bug must still surface.
STORE_ERRORS = (DatabaseError, ConnectionInterrupted, RedisError, OSError)
RETRY_SHARED_AFTER = 5.0
LOCAL_MAX_KEYS = 5000


class LocalStore:
    """A tiny thread-safe cache with expiry: the per-process mirror and fallback."""

    def __init__(self):
        self._data = {}
        self._lock = threading.Lock()

    def _live(self, key, now):
        entry = self._data.get(key)
        if entry is None:
            return None
        if entry[1] is not None and entry[1] <= now:
            del self._data[key]
            return None
        return entry[0]

    def _put(self, key, value, timeout, now):
        if len(self._data) > LOCAL_MAX_KEYS:
            # Old window buckets are never read again; drop whatever has expired.
            self._data = {k: e for k, e in self._data.items() if e[1] is None or e[1] > now}
        self._data[key] = (value, None if timeout is None else now + timeout)

    def get_many(self, keys):
        now = time.monotonic()
        with self._lock:
            found = {key: self._live(key, now) for key in keys}
        return {key: value for key, value in found.items() if value is not None}

    def set(self, key, value, timeout=None):
        with self._lock:
            self._put(key, value, timeout, time.monotonic())

    def add(self, key, value, timeout=None) -> bool:
        now = time.monotonic()
        with self._lock:
            if self._live(key, now) is not None:
                return False
            self._put(key, value, timeout, now)
            return True

    def incr(self, key, timeout=None) -> int:
        now = time.monotonic()
        with self._lock:
            value = (self._live(key, now) or 0) + 1
            self._put(key, value, timeout, now)
            return value

    def delete(self, key):
        with self._lock:
            self._data.pop(key, None)

    def clear(self):
        """Forget everything; for when the shared store was emptied on purpose (tests, an operator's flush)."""
        with self._lock:
            self._data.clear()


class MirroredStore:
    """The Django cache, mirrored locally; falls back to the mirror when the cache fails."""

    def __init__(self):
        self.local = LocalStore()
        self._skip_shared_until = 0.0

    def retry_shared_now(self):
        """Stop waiting out a store failure (tests, and after an operator fixed Redis)."""
        self._skip_shared_until = 0.0

    def _run(self, shared, local):
        if time.monotonic() < self._skip_shared_until:
            return local()
        try:
            return shared()
        except STORE_ERRORS as error:
            self._skip_shared_until = time.monotonic() + RETRY_SHARED_AFTER
            log.warning(
                "Breaker state store failed (%s: %s); using process-local breaker state for %.0f s",
                type(error).__name__, error, RETRY_SHARED_AFTER,
            )
            return local()

    def get_many(self, keys, timeout=None):
        """`timeout` is how long the local mirror keeps what was read (None: until replaced)."""

        def shared():
            values = cache.get_many(keys)
            for key in keys:
                if key in values:
                    self.local.set(key, values[key], timeout)
                else:
                    self.local.delete(key)
            return values

        return self._run(shared, lambda: self.local.get_many(keys))

    def set(self, key, value, timeout=None):
        def shared():
            cache.set(key, value, timeout)
            self.local.set(key, value, timeout)

        self._run(shared, lambda: self.local.set(key, value, timeout))

    def add(self, key, value, timeout=None) -> bool:
        """Atomic on Redis (SET NX) and on the database cache (primary key), so it can hand out one token.

        The local copy is taken first: threads of this process then queue on it, so a thread that falls back to
        local state while another holds the shared token sees the token as taken.
        """
        if not self.local.add(key, value, timeout):
            return False

        def shared():
            added = cache.add(key, value, timeout)
            if not added:
                self.local.delete(key)
            return added

        return self._run(shared, lambda: True)

    def incr(self, key, timeout=None) -> int:
        def shared():
            try:
                value = cache.incr(key)
            except ValueError:  # missing: create it, unless another process just did
                value = 1 if cache.add(key, 1, timeout) else cache.incr(key)
            self.local.set(key, value, timeout)
            return value

        return self._run(shared, lambda: self.local.incr(key, timeout))


store = MirroredStore()
