"""Shop pages make the same small number of queries whatever the catalog size: never one query per product."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from steadfast.catalog.models import Category, Product, ProductImage, Variant

MAX_QUERIES = 10


def fill(start, stop):
    root, _ = Category.objects.get_or_create(name="Root", slug="root")
    leaf, _ = Category.objects.get_or_create(name="Leaf", slug="leaf", parent=root)
    Category.objects.get_or_create(name="Other", slug="other")
    for n in range(start, stop):
        item = Product.objects.create(category=leaf if n % 2 else root, name=f"Product {n:03d}", slug=f"product-{n}")
        for size in ("S", "M", "L"):
            Variant.objects.create(
                product=item, sku=f"P{n}-{size}", options={"size": size}, price=Decimal(10 + n), stock=n % 4
            )
        for position in range(2):
            ProductImage.objects.create(product=item, image=f"products/p{n}-{position}.jpg", position=position)
        item.refresh_summary()


def count_queries(client, url):
    """Queries of a warm request by a visitor with a session (so the anonymous page cache does not answer).

    The least of three: shop mode and banner are cached for a few seconds, and on a slow machine one of them may
    expire between requests, which says nothing about the catalog size.
    """
    client.cookies[settings.SESSION_COOKIE_NAME] = "no-such-session"
    client.get(url)  # warm up: the first request of a process fills caches (shop mode, banner)
    counts = []
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(queries))
    return min(counts), response.content.decode()


@pytest.mark.parametrize(
    "url", ["/", "/c/root/", "/c/root/?in_stock=on&sort=price_desc&page=2", "/search/?q=product", "/p/product-1/"]
)
def test_query_count_does_not_grow_with_catalog(client, db, url):
    fill(0, 5)
    small, _ = count_queries(client, url)
    fill(5, 40)
    large, html = count_queries(client, url)
    assert "Product" in html
    assert small == large
    assert large <= MAX_QUERIES


def test_category_page_shows_twelve_cards_with_first_images(client, db):
    fill(0, 40)
    count, html = count_queries(client, "/c/root/")
    assert html.count('class="product-card') == 12
    assert "/media/products/p0-0.jpg" in html and "/media/products/p0-1.jpg" not in html
    assert count <= MAX_QUERIES


SHOPPER_PAGES = ["/", "/c/root/", "/search/?q=product", "/cart/", "/p/product-1/", "/status/", "/api/v1/products"]


def shopper_with_cart(client):
    variant = Variant.objects.filter(stock__gt=0).order_by("pk").first()
    client.post("/cart/add/", {"variant": variant.pk, "quantity": "1"})
    client.get("/cart/")  # shows the "Added to your cart." message, so later pages have none waiting
    return client


def count_shopper_queries(client, url):
    """(fresh render, served from the cache) for a shopper with a cart: the fresh one right after a catalog change
    (a new catalog version retires every cached page and fragment), the least of three of each."""
    from steadfast.catalog.cache import catalog_changed

    fresh, cached = [], []
    for _ in range(3):
        catalog_changed()
        for counts in (fresh, cached):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            assert response.status_code == 200, url
            # Reads and writes of the cache table (SQLite runs have a database cache, each write in a savepoint)
            # are the cache, not the page.
            counts.append(sum("steadfast_cache" not in q["sql"] and "SAVEPOINT" not in q["sql"]
                              for q in queries.captured_queries))
    return min(fresh), min(cached)


@pytest.mark.parametrize("url", SHOPPER_PAGES)
def test_query_count_for_a_shopper_with_a_cart_does_not_grow_with_catalog(client, db, url):
    fill(0, 5)
    shopper = shopper_with_cart(client)
    small = count_shopper_queries(shopper, url)
    fill(5, 40)
    large = count_shopper_queries(shopper, url)
    assert small == large, (small, large)
    assert max(large) <= MAX_QUERIES, large
