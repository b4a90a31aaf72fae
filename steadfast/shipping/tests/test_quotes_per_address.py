"""Carriers price the shopper's own postcode and town and the cart's real weight; the price shown is charged.

The CDEK fake charges 14.00 + 1.50 per started kg for tariff 137, plus 1.00 per the first digit of the postcode
(00-950 Warszawa: +0, 80-001 Gdańsk: +8), so a different address or weight shows a different price.
"""

import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from steadfast.checkout.tests.walk import ADDRESS, CONTACT, add_to_cart, place, where_to
from steadfast.orders.models import Order
from steadfast.shipping.models import Shipment
from steadfast.shipping.tasks import shipments_sweep

GDANSK = {**ADDRESS, "address_line1": "ul. Długa 1", "postcode": "80-001", "city": "Gdańsk"}


def offered(page) -> dict:
    titles = re.findall(r'choice-title">([^<]*)<', page)
    prices = re.findall(r'choice-price">([^<]*)<', page)
    return dict(zip(titles, prices, strict=True))


def tariff_requests(fake):
    return [r for r in fake.log if r.path.startswith("/v2/calculator/tarifflist")]


@pytest.fixture
def jacket(shop_defaults, cdek_method, emergency_method, make_variant, settings):
    settings.SHIPPING_QUOTE_DEADLINE = 2
    return make_variant(stock=9, price="19.90", name="Rain jacket")


def to_delivery(client, variant, quantity=1):
    add_to_cart(client, variant, quantity)
    assert client.post(reverse("checkout:contact"), CONTACT)["Location"] == reverse("checkout:delivery")


def test_no_carrier_is_asked_before_the_shopper_says_where_to(client, jacket, fake_cdek):
    to_delivery(client, jacket)

    page = client.get(reverse("checkout:delivery")).content.decode()

    assert offered(page) == {"CDEK courier": "—", "Courier": "€4.90", "Pick up in the shop": "Free"}
    assert "Enter your postcode and city above to see the price." in page
    assert tariff_requests(fake_cdek) == []  # and no emergency method: nothing has failed
    refused = client.post(reverse("checkout:delivery"), {"method": "cdek"})
    assert refused.status_code == 200 and "Please choose one of the delivery methods shown." in refused.content.decode()


def test_each_address_gets_its_own_price(client, jacket, fake_cdek):
    to_delivery(client, jacket)
    where_to(client)
    warsaw = offered(client.get(reverse("checkout:delivery")).content.decode())
    where_to(client, GDANSK)
    gdansk = offered(client.get(reverse("checkout:delivery")).content.decode())

    assert (warsaw["CDEK courier"], gdansk["CDEK courier"]) == ("€15.50", "€23.50")
    sent = [r.json()["to_location"] for r in tariff_requests(fake_cdek)]
    assert sent == [{"postal_code": "00-950", "city": "Warszawa", "country_code": "PL"},
                    {"postal_code": "80-001", "city": "Gdańsk", "country_code": "PL"}]


def test_a_bad_postcode_is_explained_and_nothing_is_priced(client, jacket, fake_cdek):
    to_delivery(client, jacket)

    response = client.post(reverse("checkout:delivery"), {"where": "1", "to-country": "PL", "to-postcode": "1234",
                                                          "to-city": "Warszawa"})

    assert response.status_code == 200 and "00-950" in response.content.decode()  # the format it expects
    assert "destination" not in client.session["checkout"] and tariff_requests(fake_cdek) == []


def test_product_weights_are_summed_into_the_parcel_quoted_and_shipped(client, jacket, fake_cdek):
    jacket.weight_grams = 1200
    jacket.save()
    heavy = type(jacket).objects.get(pk=jacket.pk)
    heavy.product.weight_grams = 9999  # the variant's own weight wins over the product's
    heavy.product.save()
    to_delivery(client, jacket, quantity=2)  # 2.4 kg: three started kilograms
    where_to(client)
    assert offered(client.get(reverse("checkout:delivery")).content.decode())["CDEK courier"] == "€18.50"
    assert tariff_requests(fake_cdek)[-1].json()["packages"][0]["weight"] == 2400

    order = walk_on_and_place(client)

    assert order.delivery_total == Decimal("18.50")
    shipments_sweep()
    shipment = Shipment.objects.get(order=order)
    assert shipment.weight_grams == 2400
    registered = fake_cdek.orders[shipment.reference]
    assert registered["packages"][0]["weight"] == 2400 and registered["to_location"]["postal_code"] == "00-950"


def test_an_address_elsewhere_is_priced_again_before_anything_is_charged(client, jacket, fake_cdek):
    to_delivery(client, jacket)
    where_to(client)  # priced for Warsaw: 15.50
    client.post(reverse("checkout:delivery"), {"method": "cdek"})

    moved = client.post(reverse("checkout:address"), GDANSK)

    assert moved["Location"] == reverse("checkout:delivery")
    notice = [str(m) for m in get_messages(moved.wsgi_request)][-1:]
    assert notice == ["Delivery to 80-001 Gdańsk with CDEK courier costs €23.50 (not €15.50); please confirm."]
    page = client.get(reverse("checkout:delivery")).content.decode()
    assert offered(page)["CDEK courier"] == "€23.50" and "Prices for delivery to 80-001 Gdańsk" in page
    order = walk_on_and_place(client, address=GDANSK)
    assert (order.delivery_total, order.total, order.postcode) == (Decimal("23.50"), Decimal("43.40"), "80-001")


def test_the_same_price_for_the_new_address_goes_straight_on(client, jacket, fake_cdek):
    to_delivery(client, jacket)
    where_to(client)
    client.post(reverse("checkout:delivery"), {"method": "cdek"})
    asked = len(tariff_requests(fake_cdek))

    response = client.post(reverse("checkout:address"), {**ADDRESS, "postcode": "02-001"})  # zone 0 as well

    assert response["Location"] == reverse("checkout:payment")
    assert len(tariff_requests(fake_cdek)) == asked + 1  # asked again for 02-001, same price


def test_a_carrier_out_when_the_address_changes_sends_the_shopper_back_to_choose(client, jacket, fake_cdek):
    to_delivery(client, jacket)
    where_to(client)
    client.post(reverse("checkout:delivery"), {"method": "cdek"})
    fake_cdek.set_fault("status", status=503)

    moved = client.post(reverse("checkout:address"), GDANSK)

    assert moved["Location"] == reverse("checkout:delivery")
    page = client.get(reverse("checkout:delivery")).content.decode()
    assert "CDEK courier" not in offered(page) and "Standard parcel" in offered(page)
    assert client.get(reverse("checkout:payment"))["Location"] == reverse("checkout:delivery")


def walk_on_and_place(client, address=ADDRESS):
    response = client.post(reverse("checkout:delivery"), {"method": "cdek"})
    assert response["Location"] == reverse("checkout:address")
    response = client.post(reverse("checkout:address"), address)
    assert response["Location"] == reverse("checkout:payment"), response.get("Location")
    client.post(reverse("checkout:payment"), {"method": "cash_on_delivery"})
    review = client.get(reverse("checkout:review"))
    assert review.status_code == 200
    assert place(client, review).status_code == 302
    return Order.objects.get()


def test_the_api_prices_a_carrier_for_the_address_and_places_the_order_at_that_price(client, jacket, fake_cdek,
                                                                                     settings):
    settings.RATELIMIT_PLACE_ORDER = "1000/m"
    client.post("/api/v1/cart/items", {"variant_id": jacket.pk, "quantity": 1}, content_type="application/json")
    without = client.get("/api/v1/checkout/options", {"country": "PL"}).json()
    options = client.get("/api/v1/checkout/options", {"country": "PL", "postcode": "80001", "city": "Gdańsk"}).json()

    assert "cdek" not in [d["code"] for d in without["delivery_methods"]]  # no address: no carrier price
    assert {d["code"]: d["price"]["amount"] for d in options["delivery_methods"]}["cdek"] == "23.50"
    body = {"contact": {"email": "ann@example.com", "phone": "+48 600 100 200", "full_name": "Ann Nowak"},
            "address": {"line1": "ul. Długa 1", "postcode": "80-001", "city": "Gdańsk", "country": "PL"},
            "delivery_method": "cdek", "payment_method": "cash_on_delivery"}
    placed = client.post("/api/v1/checkout/orders", body, content_type="application/json",
                         headers={"Idempotency-Key": "api-cdek-0001"})
    assert placed.status_code in (200, 201), placed.content
    assert Order.objects.get().delivery_total == Decimal("23.50")
