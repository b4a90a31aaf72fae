"""Staff pass maintenance entirely, cart and checkout included, so they can try the shop before reopening;
customers still get the 503 page, and in the other closed modes staff use the order desk, not the checkout."""

import pytest

from steadfast.status.services import shop_mode_set

pytestmark = pytest.mark.django_db


def test_staff_can_add_to_cart_and_open_checkout_in_maintenance(client, staff, make_variant):
    variant = make_variant(stock=3)
    shop_mode_set("maintenance", None, "upgrade")
    assert client.post("/cart/add/", {"variant": variant.pk, "quantity": 1}).status_code == 503
    assert client.get("/checkout/").status_code == 503

    client.force_login(staff)
    added = client.post("/cart/add/", {"variant": variant.pk, "quantity": 1})
    assert added.status_code == 302, added.content[:300]
    checkout = client.get("/checkout/", follow=True)
    assert checkout.status_code == 200
    assert "Full name" in checkout.content.decode()
    page = client.get(variant.product.get_absolute_url()).content.decode()
    assert "Maintenance: customers see the maintenance page." in page and "Add to cart" in page


def test_staff_get_no_checkout_in_phone_orders_mode(client, staff, make_variant):
    shop_mode_set("phone_orders", None, "gateway out")
    client.force_login(staff)
    assert client.get("/checkout/").status_code == 503
