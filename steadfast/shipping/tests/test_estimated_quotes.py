"""While a carrier is out, its last good price for the route is offered marked "estimated" (with the markup), the
order records it; with nothing remembered the emergency method stands in. Real HTTP to the CDEK fake."""

import re
import time
from decimal import Decimal

import pytest
from django.urls import reverse

from steadfast.checkout.tests.walk import ADDRESS, CONTACT, add_to_cart, place, walk_to_review, where_to
from steadfast.orders.models import Order
from steadfast.shipping.interface import Location
from steadfast.shipping.routes import destination_zone, weight_band
from steadfast.shipping.tests.test_quotes import HANG_READ_TIMEOUT, offered

OUT = {"hang": {}, "status": {"status": 503}}


@pytest.fixture
def shop(shop_defaults, cdek_method, emergency_method, make_variant, settings):
    settings.SHIPPING_QUOTE_DEADLINE = 0.5
    cdek_method.estimate_when_out = True
    cdek_method.estimate_markup_percent = Decimal("10")
    cdek_method.save()
    return make_variant(stock=5, price="19.90", name="Rain jacket")


def delivery_page(client, place=None):
    where_to(client, place)
    return client.get(reverse("checkout:delivery")).content.decode()


@pytest.mark.parametrize("fault", OUT)
def test_a_carrier_out_offers_its_last_price_for_the_route_marked_estimated_and_the_order_records_it(
        client, shop, fake_cdek, fault, admin_user):
    staff = admin_user
    add_to_cart(client, shop, 1)
    client.post(reverse("checkout:contact"), CONTACT)
    assert offered(delivery_page(client))["CDEK courier"] == "€15.50"  # healthy: the live price, remembered
    fake_cdek.set_fault(fault, **OUT[fault])

    started = time.monotonic()
    page = delivery_page(client, {**ADDRESS, "postcode": "00-001"})  # same zone (PL 00), another street
    elapsed = time.monotonic() - started

    assert offered(page) == {"CDEK courier": "€17.05", "Courier": "€4.90", "Pick up in the shop": "Free"}
    assert "estimated" in page and "data-estimated" in page  # 15.50 + 10 %; no emergency method beside it
    assert elapsed < HANG_READ_TIMEOUT / 3, f"delivery step took {elapsed:.1f} s with the carrier out"

    review = walk_to_review(client, delivery="cdek", payment="cash_on_delivery")
    shown = review.content.decode()
    assert "€36.95" in shown and "(estimated)" in shown, re.findall(r"Delivery</?[^€]*€[0-9.]+[^<]*", shown)
    place(client, review)

    order = Order.objects.get()
    assert order.delivery_estimated is True
    assert (order.delivery_total, order.total) == (Decimal("17.05"), Decimal("36.95"))
    assert order.shipment.service == "137", "the parcel still goes by CDEK once it is back"
    client.force_login(staff)
    admin_page = client.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()
    assert "Delivery price estimated" in admin_page and 'alt="True"' in admin_page


def test_with_no_price_remembered_for_the_route_the_emergency_method_is_offered(client, shop, fake_cdek):
    add_to_cart(client, shop, 1)
    client.post(reverse("checkout:contact"), CONTACT)
    assert offered(delivery_page(client))["CDEK courier"] == "€15.50"  # remembered for PL 00…, 1 kg
    fake_cdek.set_fault("status", status=503)

    page = delivery_page(client, {**ADDRESS, "postcode": "80-001", "city": "Gdańsk"})  # another zone

    assert offered(page) == {"Courier": "€4.90", "Pick up in the shop": "Free", "Standard parcel": "€15.00"}
    assert "data-estimated" not in page


def test_a_method_without_estimates_is_left_out_while_its_carrier_is_out(client, shop, fake_cdek, cdek_method):
    cdek_method.estimate_when_out = False
    cdek_method.save()
    add_to_cart(client, shop, 1)
    client.post(reverse("checkout:contact"), CONTACT)
    delivery_page(client)
    fake_cdek.set_fault("status", status=503)

    page = delivery_page(client)

    assert offered(page) == {"Courier": "€4.90", "Pick up in the shop": "Free", "Standard parcel": "€15.00"}
    review = walk_to_review(client, delivery="standard", payment="cash_on_delivery")
    place(client, review)
    assert Order.objects.get().delivery_estimated is False


def test_a_live_answer_replaces_the_estimate(client, shop, fake_cdek):
    add_to_cart(client, shop, 1)
    client.post(reverse("checkout:contact"), CONTACT)
    delivery_page(client)
    fake_cdek.set_fault("status", status=503)
    assert offered(delivery_page(client))["CDEK courier"] == "€17.05"
    fake_cdek.set_fault("ok")

    page = delivery_page(client)

    assert offered(page)["CDEK courier"] == "€15.50" and "data-estimated" not in page
    place(client, walk_to_review(client, delivery="cdek", payment="cash_on_delivery"))
    order = Order.objects.get()
    assert (order.delivery_estimated, order.delivery_total) == (False, Decimal("15.50"))


def test_routes_group_postcode_areas_and_weight_bands():
    assert destination_zone(Location(country="pl", postcode="00-950")) == "PL:00"
    assert destination_zone(Location(country="PL", city="  Nowa   Wieś")) == "PL:nowa wieś"
    assert [weight_band(g) for g in (1, 500, 501, 1000, 30000, 30001, 45000)] == [
        500, 500, 1000, 1000, 30000, 40000, 50000]
