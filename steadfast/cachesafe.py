"""The cache for things that may simply go uncached when the cache server is down (see CACHES["lenient"]).

Strict users (the provider breaker store, /readyz) import django.core.cache.cache and handle failures themselves.
"""

from django.conf import settings
from django.core.cache import caches


class _LenientCache:
    def __getattr__(self, name):
        alias = "lenient" if "lenient" in settings.CACHES else "default"
        return getattr(caches[alias], name)


lenient_cache = _LenientCache()
