"""Pickup points at checkout: the carrier's points listed (plain list with a search box, no map, no JavaScript),
the shopper's choice kept on the order and sent with the shipment. Checked against the CDEK fake's own orders."""

import pytest
from django.urls import reverse

from steadfast.checkout.tests.walk import CONTACT, add_to_cart, place, where_to
from steadfast.orders.models import Order
from steadfast.shipping.models import DeliveryMethod, Shipment
from steadfast.shipping.tasks import shipments_sweep

MOSCOW = {"country": "RU", "postcode": "125009", "city": "Moscow"}


@pytest.fixture
def locker(shop_defaults, cdek_provider, make_variant, settings):
    settings.SHIPPING_QUOTE_DEADLINE = 2
    DeliveryMethod.objects.create(code="cdek-point", name="CDEK pickup point", kind="carrier",
                                  provider=cdek_provider, service="368", countries=["RU"], position=4)
    variant = make_variant(stock=5, price="19.90", name="Rain jacket")
    return variant


def to_points(client, variant):
    add_to_cart(client, variant)
    client.post(reverse("checkout:contact"), CONTACT)
    where_to(client, MOSCOW)
    response = client.post(reverse("checkout:delivery"), {"method": "cdek-point"})
    assert response["Location"] == reverse("checkout:point")  # a point delivery asks for the point, not a street
    return client.get(reverse("checkout:point"))


def names(response):
    return [p.name for p in response.context["points"]]


def test_the_shopper_chooses_a_point_it_is_kept_on_the_order_and_sent_to_the_carrier(client, locker, fake_cdek):
    page = to_points(client, locker)
    assert names(page) == ["On Tverskaya", "Locker at Kievskaya"]  # the town of the delivery step
    assert [s["name"] for s in page.context["steps"]] == ["contact", "delivery", "point", "payment", "review"]

    chosen = client.post(reverse("checkout:point"), {"point": "MSK456", "q": "Moscow"})
    assert chosen["Location"] == reverse("checkout:payment")
    client.post(reverse("checkout:payment"), {"method": "cash_on_delivery"})
    review = client.get(reverse("checkout:review"))
    assert "Locker at Kievskaya, Russia, Moscow, Kievskaya 2" in review.content.decode()
    assert place(client, review).status_code == 302

    order = Order.objects.get()
    assert (order.pickup_point, order.pickup_point_name) == ("MSK456", "Locker at Kievskaya, Russia, Moscow, "
                                                                       "Kievskaya 2")
    assert (order.city, order.postcode, order.address_line1) == ("Moscow", "125009", "")
    shipments_sweep()
    shipment = Shipment.objects.get(order=order)
    registered = fake_cdek.orders[shipment.reference]
    assert registered["delivery_point"] == "MSK456" and registered["to_location"] is None


def test_search_by_postcode_lists_the_points_there(client, locker, fake_cdek):
    to_points(client, locker)

    page = client.get(reverse("checkout:point"), {"q": "191186"})

    assert names(page) == ["Nevsky"]
    assert 'name="q" value="191186"' in page.content.decode()


def test_a_point_that_was_never_listed_is_refused_and_nothing_is_kept(client, locker, fake_cdek):
    to_points(client, locker)

    forged = client.post(reverse("checkout:point"), {"point": "SOMEWHERE-ELSE"})
    empty = client.post(reverse("checkout:point"), {})

    assert forged.status_code == 200 and "Please choose one of the pickup points listed." in forged.content.decode()
    assert empty.status_code == 200 and "Please choose a pickup point." in empty.content.decode()
    assert "point" not in client.session["checkout"]
    assert client.get(reverse("checkout:payment"))["Location"] == reverse("checkout:point")


def test_points_unavailable_says_so_and_offers_no_dead_end(client, locker, fake_cdek):
    to_points(client, locker)
    fake_cdek.set_fault("status", status=503)

    page = client.get(reverse("checkout:point"), {"q": "Saint Petersburg"})

    text = page.content.decode()
    assert page.status_code == 200 and "cannot list its pickup points right now" in text
    assert names(page) == [] and reverse("checkout:delivery") in text  # Back leads to another delivery method


def test_an_order_without_a_point_is_refused_for_a_point_delivery(locker, fake_cdek, details):
    from dataclasses import replace

    from steadfast.checkout.services import CheckoutError, order_place
    from steadfast.shipping.interface import Location
    from steadfast.shipping.parcels import parcel_for
    from steadfast.shipping.quotes import carrier_quotes

    where = replace(details, delivery_method="cdek-point", country="RU", postcode="125009", city="Moscow")
    method = DeliveryMethod.objects.get(code="cdek-point")
    carrier_quotes([method], locker.unit_price, Location("RU", "125009", "Moscow"), parcel_for([(locker, 1)]))
    with pytest.raises(CheckoutError, match="choose the pickup point"):
        order_place(lines=[(locker.pk, 1)], details=where, idempotency_key="no-point")
    assert not Order.objects.exists()
