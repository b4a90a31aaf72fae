"""A catalog version in the cache: any catalog change sets a new one, which retires every cached page part.

Readers key their cache entries on the version, so nothing is ever invalidated one key at a time. A sale moves stock
without changing what listings show (price, "out of stock") most of the time; then only stock versions move: the
product's own (its page shows how many are left) and one for every product (the cart page shows the lines' stock).
On launch day each order so retires the bought product's page and the cart pages, not every page (issue 16).
"""

import uuid

from django.db import transaction

from steadfast.cachesafe import lenient_cache as cache

VERSION_KEY = "catalog:version"
STOCK_KEY = "catalog:stock"  # any stock move
PRODUCT_STOCK_KEY = "catalog:stock:{slug}"  # a stock move of this product


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


def stock_version(slug: str | None = None) -> str:
    """The stock version of one product (by slug), or of all with None; "" when the cache is unreachable (a page is
    then not cached at all: its catalog version is None too)."""
    key = PRODUCT_STOCK_KEY.format(slug=slug) if slug else STOCK_KEY
    return cache.get_or_set(key, uuid.uuid4().hex, None) or ""


def stock_changed(slugs) -> None:
    """Stock of these products moved, and nothing a listing shows changed: like catalog_changed, now and again
    after commit."""
    slugs = list(slugs)
    _new_stock_versions(slugs)
    transaction.on_commit(lambda: _new_stock_versions(slugs))


def _new_stock_versions(slugs):
    new = uuid.uuid4().hex
    cache.set_many({STOCK_KEY: new, **{PRODUCT_STOCK_KEY.format(slug=slug): new for slug in slugs}}, None)


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
