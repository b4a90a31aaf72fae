"""Counts SQL queries per storefront page at the demo catalog size and again with 10x more products."""

from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from steadfast.catalog.models import Category, Product, Variant

PAGES = ("home", "category", "product")


def _urls():
    category = Category.objects.filter(products__is_active=True).order_by("pk").first()
    product = Product.objects.filter(is_active=True, variants__isnull=False).order_by("pk").first()
    return {"home": "/", "category": category.get_absolute_url(), "product": product.get_absolute_url()}


def _count(client, url):
    # A visitor with a session: the page is rendered for them (first visits may be served from the page cache).
    client.cookies[settings.SESSION_COOKIE_NAME] = "bench-session"
    client.get(url)  # warm caches the way a running server would have them
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


def _grow(extra):
    category = Category.objects.filter(products__is_active=True).order_by("pk").first()
    start = Product.objects.count()
    for n in range(start, start + extra):
        product = Product.objects.create(
            category=category,
            name=f"Bench product {n}",
            slug=f"bench-product-{n}",
            min_price=Decimal("10.00"),
            in_stock=True,
        )
        Variant.objects.bulk_create(
            [
                Variant(
                    product=product, sku=f"BENCH-{n}-{size}", options={"size": size}, price=Decimal("10.00"), stock=50
                )
                for size in ("S", "M", "L")
            ]
        )


def main():
    client = Client(HTTP_HOST="127.0.0.1")
    small = {page: _count(client, url) for page, url in _urls().items()}
    size_small = Product.objects.count()
    _grow(size_small * 10)
    big = {page: _count(client, url) for page, url in _urls().items()}
    print(f"{'page':<10} {size_small:>6} products {Product.objects.count():>6} products")
    for page in PAGES:
        print(f"{page:<10} {small[page]:>15} {big[page]:>15}")


def targets():
    """Slugs and variant ids for locust, with stock raised so place-order never runs out."""
    Variant.objects.update(stock=1_000_000)
    categories = Category.objects.filter(products__is_active=True).distinct().values_list("slug", flat=True)[:20]
    products = (
        Product.objects.filter(is_active=True).exclude(slug__startswith="bench-").values_list("slug", flat=True)[:40]
    )
    variants = Variant.objects.filter(product__slug__in=list(products)).values_list("pk", flat=True)[:80]
    print("BENCH_CATEGORIES=" + ",".join(categories))
    print("BENCH_PRODUCTS=" + ",".join(products))
    print("BENCH_VARIANTS=" + ",".join(str(v) for v in variants))
