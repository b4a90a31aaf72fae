"""On launch day orders flow all the time: a sale that changes nothing a listing shows (price from, out of stock)
must not retire every cached page, only the pages that show stock — the product's own and the cart (issue 16).

What a shopper would see proves which pages were kept: a product renamed behind the cache's back (a queryset
update sends no signal, so no catalog version moves) still shows its old name on a page that was kept.
"""

import pytest
from django.test import Client

from steadfast.catalog.models import Product
from steadfast.checkout.services import order_place

pytestmark = pytest.mark.django_db


def test_a_sale_keeps_listings_cached_and_shows_the_new_stock_on_its_product_and_in_carts(make_variant, details):
    lantern = make_variant(stock=9, price="19.90", name="Lantern")
    kettle = make_variant(stock=9, price="29.90", name="Kettle")
    shopper = Client()
    shopper.post("/cart/add/", {"variant": lantern.pk, "quantity": "1"})
    shopper.get("/cart/")  # shows (and so uses up) the "Added to your cart." message: pages are shared from now on
    listings = ["/", "/c/test-cat/", "/search/?q=kettle", kettle.product.get_absolute_url()]
    for url in [*listings, lantern.product.get_absolute_url(), "/cart/"]:
        assert shopper.get(url).status_code == 200  # now cached
    assert shopper.get("/api/v1/products").json()["count"] == 2
    Product.objects.filter(pk=kettle.product_id).update(name="Kettle renamed")

    order_place(lines=[(lantern.pk, 1)], details=details, idempotency_key="sale-1")  # 9 -> 8: still in stock

    for url in listings:
        html = shopper.get(url).content.decode()
        assert "Kettle" in html and "renamed" not in html, f"{url} was re-rendered after a sale"
    assert 'max="8"' in shopper.get(lantern.product.get_absolute_url()).content.decode()
    assert 'max="8"' in shopper.get("/cart/").content.decode()

    order_place(lines=[(lantern.pk, 8)], details=details, idempotency_key="sale-2")  # sold out: listings change

    category = shopper.get("/c/test-cat/").content.decode()
    assert "Kettle renamed" in category and "Out of stock" in category
    assert "Kettle renamed" in shopper.get(kettle.product.get_absolute_url()).content.decode()
    assert [p["in_stock"] for p in shopper.get("/api/v1/products?sort=name").json()["results"]] == [True, False]


def test_a_cancelled_order_gives_its_stock_back_on_the_product_page_and_the_listing(make_variant, details, client):
    from steadfast.orders.services import SYSTEM, order_cancel

    lantern = make_variant(stock=1, name="Lantern")
    order, _ = order_place(lines=[(lantern.pk, 1)], details=details, idempotency_key="sale-3")
    assert "Out of stock" in client.get("/c/test-cat/").content.decode()
    assert "Out of stock" in client.get(lantern.product.get_absolute_url()).content.decode()

    order_cancel(order, SYSTEM, "changed my mind")

    assert "Out of stock" not in client.get("/c/test-cat/").content.decode()
    assert 'max="1"' in client.get(lantern.product.get_absolute_url()).content.decode()
