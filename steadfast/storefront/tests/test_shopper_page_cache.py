"""Shoppers with a cart get cached pages too (issue 16). What must hold: a price or stock change shows at once on
every page (a stale price is a money bug), each language has its own pages, and the per-visitor parts — cart count,
the cart itself, messages, a dismissed banner — are the visitor's own."""

import re
from decimal import Decimal

import pytest
from django.test import Client

from steadfast.checkout.services import order_place

pytestmark = pytest.mark.django_db


def _shopper_with(variant, quantity=1):
    shopper = Client()
    response = shopper.post("/cart/add/", {"variant": variant.pk, "quantity": str(quantity)})
    assert response.status_code == 302
    shopper.get("/cart/")  # shows (and so uses up) the "Added to your cart." message
    return shopper


def _pages(variant):
    product = variant.product
    return {
        "home": "/",
        "category": "/c/test-cat/",
        "search": f"/search/?q={product.name.split()[0]}",
        "product": product.get_absolute_url(),
        "cart": "/cart/",
    }


def _cart_count(html):
    return re.search(r'class="cart-count[^"]*" aria-hidden="true">(\d+)<', html).group(1)


def test_a_price_change_shows_at_once_on_every_page_a_shopper_sees(make_variant):
    variant = make_variant(stock=9, price="19.90", name="Lantern")
    shopper = _shopper_with(variant)
    for name, url in _pages(variant).items():
        assert "19.90" in shopper.get(url).content.decode(), name  # now cached for this catalog version
    assert shopper.get("/api/v1/products").json()["results"][0]["price"]["amount"] == "19.90"

    variant.price = Decimal("24.50")  # staff edit the price (admin saves the row)
    variant.save()
    variant.product.refresh_summary()

    for name, url in _pages(variant).items():
        html = shopper.get(url).content.decode()
        assert "24.50" in html and "19.90" not in html, name
    assert shopper.get("/api/v1/products").json()["results"][0]["price"]["amount"] == "24.50"


def test_stock_taken_by_an_order_shows_at_once_for_shoppers_with_a_cart(make_variant, details):
    variant = make_variant(stock=5, name="Lantern")
    shopper = _shopper_with(variant)
    url = variant.product.get_absolute_url()
    assert "In stock" in shopper.get(url).content.decode()
    assert "Out of stock" not in shopper.get("/c/test-cat/").content.decode()

    order_place(lines=[(variant.pk, 4)], details=details, idempotency_key="shopper-cache-1")
    assert "Only 1 left" in shopper.get(url).content.decode()
    assert "Only 1 left" in shopper.get("/cart/").content.decode()

    order_place(lines=[(variant.pk, 1)], details=details, idempotency_key="shopper-cache-2")
    assert "Out of stock" in shopper.get("/c/test-cat/").content.decode()
    assert shopper.get("/api/v1/products").json()["results"][0]["in_stock"] is False


def test_each_language_gets_its_own_cached_page(make_variant):
    variant = make_variant(stock=5, name="Lantern")
    shopper = _shopper_with(variant)
    for url in _pages(variant).values():
        english = shopper.get(url).content.decode()
        assert 'lang="en"' in english and "Koszyk" not in english
        polish = shopper.get(url, HTTP_ACCEPT_LANGUAGE="pl").content.decode()
        assert 'lang="pl"' in polish and "Koszyk" in polish, url
        assert 'lang="en"' in shopper.get(url).content.decode()  # and the English page is still English


def test_cart_count_and_cart_are_each_shoppers_own(make_variant):
    variant = make_variant(stock=9, name="Lantern")
    other = make_variant(stock=9, name="Kettle")
    first, second = _shopper_with(variant, 2), _shopper_with(other, 3)
    for url in _pages(variant).values():
        assert _cart_count(first.get(url).content.decode()) == "2", url
        assert _cart_count(second.get(url).content.decode()) == "3", url
        assert _cart_count(Client().get(url).content.decode()) == "0", url
    first_cart, second_cart = first.get("/cart/").content.decode(), second.get("/cart/").content.decode()
    assert "Lantern" in first_cart and "Kettle" not in first_cart
    assert "Kettle" in second_cart and "Lantern" not in second_cart


def test_a_cached_page_keeps_the_shoppers_csrf_token_working(make_variant):
    variant = make_variant(stock=9, name="Lantern")
    shopper = _shopper_with(variant)
    shopper.handler.enforce_csrf_checks = True
    url = variant.product.get_absolute_url()
    shopper.get(url)  # stored
    html = shopper.get(url).content.decode()  # served from the cache with this shopper's token
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    response = shopper.post("/cart/add/", {"csrfmiddlewaretoken": token, "variant": variant.pk, "quantity": "1"})
    assert response.status_code == 302
    assert _cart_count(shopper.get(url).content.decode()) == "2"


def test_a_message_is_shown_once_to_its_shopper_and_never_cached(make_variant):
    variant = make_variant(stock=9, name="Lantern")
    shopper = _shopper_with(variant)
    url = variant.product.get_absolute_url()
    shopper.get(url)  # the page is in the cache for shoppers
    shopper.post("/cart/add/", {"variant": variant.pk, "quantity": "1"})
    assert "Added to your cart." in shopper.get(url).content.decode()
    assert "Added to your cart." not in shopper.get(url).content.decode()
    assert "Added to your cart." not in _shopper_with(variant).get(url).content.decode()


def test_a_dismissed_banner_stays_dismissed_for_that_shopper_only(make_variant):
    from steadfast.status.models import Banner

    variant = make_variant(stock=9, name="Lantern")
    Banner.objects.create(message="Deliveries are late this week.")
    url = variant.product.get_absolute_url()
    shopper, other = _shopper_with(variant), _shopper_with(variant)
    assert "Deliveries are late this week." in shopper.get(url).content.decode()
    shopper.post("/status/banner/dismiss", {"next": url})
    assert "Deliveries are late this week." not in shopper.get(url).content.decode()
    assert "Deliveries are late this week." in other.get(url).content.decode()


def test_a_cart_brought_in_line_with_stock_is_not_cached_for_others(make_variant, details):
    variant = make_variant(stock=5, name="Lantern")
    first, second = _shopper_with(variant, 3), _shopper_with(variant, 3)
    order_place(lines=[(variant.pk, 4)], details=details, idempotency_key="shopper-cache-3")
    # Both carts hold 3 of an item with 1 left: each shopper is told, and each cart is limited to 1.
    for shopper in (first, second):
        html = shopper.get("/cart/").content.decode()
        assert "we changed the quantity in your cart" in html
        assert 'name="quantity" value="1"' in html
        assert _cart_count(shopper.get(variant.product.get_absolute_url()).content.decode()) == "1"  # in the session
