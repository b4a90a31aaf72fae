"""Search through indexes: SKU prefix and exact SKU on both databases; on PostgreSQL, EXPLAIN of the real search
query over 2,000 products with fresh statistics shows the full-text and SKU indexes, not a scan of the table."""

import re

import pytest
from django.db import connection

from steadfast.catalog import selectors
from steadfast.catalog.models import Category, Product, Variant
from steadfast.catalog.services import products_reindex

WORDS = ["linen", "wool", "cotton", "denim", "canvas", "leather", "silk", "fleece"]
THINGS = ["shirt", "jacket", "bag", "scarf", "hat", "apron", "glove", "sock"]


def names(text):
    return {p.name for p in selectors.products_search(selectors.category_tree(), text)}


@pytest.fixture
def big_catalog(db):
    """2,000 products in 8 categories, one variant each: every word matches a small share of the catalog."""
    categories = [Category.objects.create(name=f"Range {n}", slug=f"range-{n}") for n in range(8)]
    Product.objects.bulk_create(
        Product(category=categories[n % 8], name=f"{WORDS[n % 8].title()} {THINGS[n // 8 % 8]} {n}", slug=f"p-{n}",
                description=f"Model q{n:04d}")
        for n in range(2000)
    )
    products = list(Product.objects.order_by("pk"))
    Variant.objects.bulk_create(
        Variant(product=product, sku=f"SF-{n:04d}-{WORDS[n % 8][:3].upper()}", price="10.00", stock=5)
        for n, product in enumerate(products)
    )
    products_reindex()
    return products


@pytest.mark.django_db
def test_sku_prefix_and_whole_sku(big_catalog):
    assert names("sf-0042-cot") == {big_catalog[42].name}  # pasted from an invoice: the exact SKU
    assert names("SF") == {p.name for p in big_catalog}  # a SKU prefix
    assert names("0042") == set()  # inside a SKU: not a prefix (and no product word starts with it)
    assert names("q0042") == {big_catalog[42].name}  # the description's word still matches
    assert names("linen q0008") == {big_catalog[8].name}


@pytest.mark.only_on("postgresql", reason="EXPLAIN of PostgreSQL's full-text and expression indexes")
@pytest.mark.django_db
def test_search_plan_uses_the_indexes_not_a_table_scan(big_catalog):
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catalog_product")
        cursor.execute("ANALYZE catalog_variant")
    tree = selectors.category_tree()
    for text in ("q0042", "aprons q0042", "SF-0042-COT"):
        query = selectors.products_search(tree, text)
        plan = query.explain()
        assert "catalog_product_search_fts" in plan, plan
        assert "catalog_variant_sku_upper_prefix" in plan, plan
        # The shop's product table is reached by primary key from the ids found, never read through to filter
        # (a subquery for a word matching an eighth of the catalog, like "aprons", may read it: the planner's call).
        assert not re.search(r"Seq Scan on catalog_product\s+\(", plan), plan
        assert len(query) == 1
