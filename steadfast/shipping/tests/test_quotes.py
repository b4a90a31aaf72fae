"""Deadline quotes at checkout, as the shopper sees them: a live CDEK price, or the emergency method in time."""

import re
import time

import pytest
from django.urls import reverse

from steadfast.checkout.tests.walk import CONTACT, add_to_cart, place, walk_to_review, where_to
from steadfast.orders.models import Order
from steadfast.providers.models import Attempt
from steadfast.shipping.models import Shipment
from steadfast.testing import WAIT_SECONDS

HANG_READ_TIMEOUT = 30  # the provider's own read timeout: only the deadline can keep the page fast


def wait_for(condition, what, timeout=WAIT_SECONDS):
    deadline, seen = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        seen = condition()
        if seen:
            return seen
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}; last saw {seen!r}")


def offered(page) -> dict:
    """{method name: price} as the delivery step lists them."""
    titles = re.findall(r'choice-title">([^<]*)<', page)
    prices = re.findall(r'choice-price">([^<]*)<', page)
    return dict(zip(titles, prices, strict=True))


def delivery_page(client, variant):
    add_to_cart(client, variant, 1)
    response = client.post(reverse("checkout:contact"), CONTACT, follow=True)
    assert response.request["PATH_INFO"] == reverse("checkout:delivery")
    where_to(client)  # 00-950 Warszawa: the fake CDEK adds no distance surcharge for it
    return client.get(reverse("checkout:delivery")).content.decode()


@pytest.fixture
def shop(shop_defaults, cdek_method, emergency_method, make_variant, settings):
    settings.SHIPPING_QUOTE_DEADLINE = 0.5
    return make_variant(stock=5, price="19.90", name="Rain jacket")


def test_a_healthy_carrier_is_offered_at_its_live_price_and_the_emergency_method_is_not(client, shop):
    page = delivery_page(client, shop)

    assert offered(page) == {"CDEK courier": "€15.50", "Courier": "€4.90", "Pick up in the shop": "Free"}
    assert "2–5 working days" in page


def test_a_hanging_carrier_is_replaced_by_the_emergency_method_within_the_deadline(client, shop, fake_cdek):
    fake_cdek.set_fault("hang")
    started = time.monotonic()
    page = delivery_page(client, shop)
    elapsed = time.monotonic() - started

    assert offered(page) == {"Courier": "€4.90", "Pick up in the shop": "Free", "Standard parcel": "€15.00"}
    # The carrier would hold the page for its 30 s read timeout; the deadline is 0.5 s. Generous margin.
    assert elapsed < HANG_READ_TIMEOUT / 3, f"delivery step took {elapsed:.1f} s with a hanging carrier"
    wait_for(lambda: Attempt.objects.filter(operation="quote").exists(), "the late quote's Attempt row")
    assert Attempt.objects.get(operation="quote").outcome == "indeterminate"


def test_an_open_breaker_skips_the_carrier_without_asking_it(client, shop, fake_cdek, settings):
    settings.BREAKER_CONSECUTIVE = 2
    fake_cdek.set_fault("status", status=503)
    for _ in range(2):
        assert "Standard parcel" in offered(delivery_page(client, shop))
    asked = fake_cdek.requests

    page = delivery_page(client, shop)

    assert offered(page) == {"Courier": "€4.90", "Pick up in the shop": "Free", "Standard parcel": "€15.00"}
    assert "CDEK courier is temporarily unavailable" in page  # the shop's banner names what is out
    assert fake_cdek.requests == asked, "a carrier whose breaker is open must not be asked"


def test_the_price_shown_is_the_price_charged_and_the_shipment_is_registered_once(client, shop, fake_cdek):
    add_to_cart(client, shop, 1)
    review = walk_to_review(client, delivery="cdek", payment="cash_on_delivery")
    assert "€35.40" in review.content.decode()  # 19.90 + 15.50 live CDEK price (1 kg default parcel)
    fake_cdek.set_fault("hang")  # placing the order never calls the carrier

    response = place(client, review)

    order = Order.objects.get()
    assert response.status_code == 302 and str(order.total) == "35.40" and str(order.delivery_total) == "15.50"
    shipment = Shipment.objects.get(order=order)
    assert shipment.service == "137" and shipment.state == Shipment.State.WAITING
    assert order.events.filter(kind="shipment").exists()



def test_a_misconfigured_carrier_route_leaves_the_carrier_out_not_the_page(client, shop, cdek_provider):
    cdek_provider.config["origin"] = {"town": "Moscow"}  # not a field of a location
    cdek_provider.save()

    page = delivery_page(client, shop)

    assert offered(page) == {"Courier": "€4.90", "Pick up in the shop": "Free", "Standard parcel": "€15.00"}


EMERGENCY_ONLY = {"Courier": "€4.90", "Pick up in the shop": "Free", "Standard parcel": "€15.00"}
LIVE = {"CDEK courier": "€15.50", "Courier": "€4.90", "Pick up in the shop": "Free"}


@pytest.mark.parametrize("fault, options, expected", [
    ("slow", {"ms": 5000}, EMERGENCY_ONLY),  # answers, but after the deadline
    ("status", {"status": 500}, EMERGENCY_ONLY),
    ("status", {"status": 429}, EMERGENCY_ONLY),
    ("malformed", {}, EMERGENCY_ONLY),
    ("reset", {}, EMERGENCY_ONLY),
    ("expired_token", {}, LIVE),  # renewed once, transparently
])
def test_fault_matrix_at_the_delivery_step(client, shop, fake_cdek, fault, options, expected):
    delivery_page(client, shop)  # a token is fetched and cached
    fake_cdek.set_fault(fault, **options)

    page = client.get(reverse("checkout:delivery")).content.decode()

    assert offered(page) == expected, f"{fault}: offered {offered(page)}"
    wait_for(lambda: Attempt.objects.filter(operation="quote").count() == 2, "both quote Attempt rows")


def test_after_an_outage_the_probe_brings_the_carrier_back_to_checkout(client, shop, fake_cdek, inpost, settings):
    from steadfast.providers.probes import providers_probe

    settings.BREAKER_CONSECUTIVE = 2
    settings.BREAKER_COOLDOWN = 0  # the trial may go at once; it is the probe's, never a shopper's quote
    fake_cdek.set_fault("status", status=503)
    for _ in range(2):
        delivery_page(client, shop)
    fake_cdek.set_fault("ok")
    assert "CDEK courier" not in offered(delivery_page(client, shop)), "open: only the probe may try it again"

    results = {r.provider.code: r.outcome for r in providers_probe()}

    assert results == {"cdek": "ok", "inpost": "ok"}
    # Four jackets in the cart by now (each visit added one): 4 kg at 14.00 + 1.50 per kg.
    assert offered(delivery_page(client, shop))["CDEK courier"] == "€20.00"


def test_with_no_delivery_method_at_all_the_shopper_is_told_to_order_by_phone(client, shop_defaults, make_variant,
                                                                               settings):
    from steadfast.shipping.models import DeliveryMethod

    settings.SHOP_PHONE = "+48 22 555 01 23"
    DeliveryMethod.objects.update(enabled=False)
    add_to_cart(client, make_variant(stock=5, price="19.90", name="Rain jacket"), 1)
    client.post(reverse("checkout:contact"), CONTACT)

    page = client.get(reverse("checkout:delivery")).content.decode()

    assert offered(page) == {}
    notice = re.search(r"data-no-delivery>([^<]*)<", page).group(1)
    assert "+48 22 555 01 23" in notice and "call us" in notice
    assert 'name="method"' not in page and "Continue" not in page, "no form to fill when nothing can be chosen"
    response = client.post(reverse("checkout:delivery"), {"method": "courier"})
    assert response.status_code == 200 and not response.wsgi_request.session.get("checkout", {}).get("delivery")
