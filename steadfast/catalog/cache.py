"""A catalog version in the cache: any catalog or stock change sets a new one, which retires every cached page part.

Readers key their cache entries on the version, so nothing is ever invalidated one key at a time.
"""

import uuid

from django.db import transaction

from steadfast.cachesafe import lenient_cache as cache

VERSION_KEY = "catalog:version"


def catalog_version() -> str | None:
    """The current version, or None when the cache is unreachable (callers then skip caching)."""
    return cache.get_or_set(VERSION_KEY, uuid.uuid4().hex, None)


def catalog_changed(**_signal_kwargs) -> None:
    # Now, for readers inside this transaction; again after commit, so a concurrent reader that cached the old rows
    # in between does so under a version that is already retired.
    _new_version()
    transaction.on_commit(_new_version)


def _new_version():
    # If the cache is down this is lost; entries expire on their own within `seconds` of cached().
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def cached(key_parts, build, seconds=300):
    """build() once per catalog version; straight through when the cache is unreachable."""
    version = catalog_version()
    if version is None:
        return build()
    key = ":".join(["catalog", version, *map(str, key_parts)])
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, seconds)
    return value
