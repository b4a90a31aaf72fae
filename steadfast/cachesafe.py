"""The cache for things that may simply go uncached when the cache server is down (see CACHES["lenient"]).

Strict users (the provider breaker store, /readyz) import django.core.cache.cache and handle failures themselves.

Within `remembered(keys)` (one page request, storefront/hotkeys.py) the keys named are read from the cache in one
round trip and `get` answers them from that read: every page reads the shop mode, the banner and the catalog version,
some twice, and on the database cache each read was a query of its own. A write through this object in the same
request forgets its key, so the request reads what it wrote; another process's write is seen by the next request,
exactly as if this request had read the key a moment earlier.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import caches

_MISSING = object()
_memo: ContextVar[dict | None] = ContextVar("steadfast_cache_memo", default=None)
# Methods that change keys: the memo forgets what they touch before they run.
_ONE_KEY_WRITES = {"set", "add", "delete", "incr", "decr", "touch"}
_MANY_KEY_WRITES = {"set_many", "delete_many"}


def _backend():
    return caches["lenient" if "lenient" in settings.CACHES else "default"]


class _LenientCache:
    def get(self, key, default=None, version=None):
        memo = _memo.get()
        if memo is not None and version is None and key in memo:
            value = memo[key]
            return default if value is _MISSING else value
        return _backend().get(key, default, version)

    def get_or_set(self, key, default, timeout=None, version=None):
        value = self.get(key, _MISSING, version)
        if value is not _MISSING:
            return value
        _forget([key])
        return _backend().get_or_set(key, default, timeout, version)

    def clear(self):
        memo = _memo.get()
        if memo is not None:
            memo.clear()
        return _backend().clear()

    def __getattr__(self, name):
        method = getattr(_backend(), name)
        if name in _ONE_KEY_WRITES:
            return lambda key, *args, **kwargs: (_forget([key]), method(key, *args, **kwargs))[1]
        if name in _MANY_KEY_WRITES:
            return lambda keys, *args, **kwargs: (_forget(list(keys)), method(keys, *args, **kwargs))[1]
        return method


def _forget(keys):
    memo = _memo.get()
    if memo is not None:
        for key in keys:
            memo.pop(key, None)


@contextmanager
def remembered(keys):
    """Read `keys` in one round trip and answer `get` for them from that read until the block ends. If the cache
    cannot be read, nothing is remembered (each reader then meets the failure and handles it as before)."""
    from steadfast.providers.store import STORE_ERRORS  # that module's imports reach back here

    try:
        values = _backend().get_many(keys)
    except STORE_ERRORS:  # the readers below meet the failure again, one by one, and handle it as they always did
        values = None
    token = _memo.set(None if values is None else {key: values.get(key, _MISSING) for key in keys})
    try:
        yield
    finally:
        _memo.reset(token)


lenient_cache = _LenientCache()
