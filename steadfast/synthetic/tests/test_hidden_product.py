"""The probe's hidden item is for the probe only: shoppers cannot see, find, add or order it."""

from dataclasses import replace

import pytest
from django.urls import reverse

from steadfast.checkout.services import CheckoutError, order_place
from steadfast.orders.models import Order
from steadfast.synthetic.product import PRODUCT_SLUG, synthetic_variant

pytestmark = pytest.mark.django_db


def test_shopper_cannot_see_find_or_buy_the_hidden_item(client, details, make_variant):
    variant = synthetic_variant()
    make_variant(stock=5, price="9.00")  # a real product, so listings are not empty
    assert client.get(f"/p/{PRODUCT_SLUG}/").status_code == 404
    assert "Synthetic" not in client.get("/").content.decode()
    assert "Synthetic" not in client.get("/search/", {"q": "synthetic checkout"}).content.decode()

    client.post(reverse("cart:add"), {"variant": variant.pk, "quantity": 1})
    assert client.session.get("cart", {}) == {}  # refused: "This item is not available."

    with pytest.raises(CheckoutError):  # the API and staff entry go through order_place: refused there too
        order_place(lines=[(variant.pk, 1)], details=details, idempotency_key="not-a-probe")
    assert not Order.objects.exists()


def test_the_probe_cannot_buy_real_products(details, make_variant):
    real = make_variant(stock=5, price="9.00")
    with pytest.raises(CheckoutError):
        order_place(lines=[(real.pk, 1)], details=replace(details), idempotency_key="probe", synthetic=True)
    real.refresh_from_db()
    assert real.stock == 5 and not Order.objects.exists()


def test_lifeboat_export_leaves_the_hidden_item_out(client, settings, make_variant):
    settings.LIFEBOAT_TOKEN = "t" * 32
    synthetic_variant()
    make_variant(stock=5, price="9.00")
    answer = client.get("/api/v1/lifeboat", HTTP_AUTHORIZATION="Bearer " + "t" * 32).json()
    assert answer["products"] and all(p["name"] != "Synthetic checkout test item" for p in answer["products"])
