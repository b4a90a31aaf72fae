"""In a real browser: CDEK hangs, the shopper still checks out in time with the emergency method; when CDEK is
healthy the live price is offered, charged, and the paid order's shipment is registered once at the fake."""

import re
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from steadfast.catalog.models import Category, Product, Variant
from steadfast.orders.models import Order
from steadfast.shipping.models import Shipment
from steadfast.shipping.tasks import shipments_sweep

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(settings.BASE_DIR) / "var" / "shots"


@pytest.fixture
def product(shop_defaults, cdek_method, emergency_method, settings):
    settings.SHIPPING_QUOTE_DEADLINE = 1
    category = Category.objects.create(name="Clothing", slug="clothing")
    product = Product.objects.create(category=category, name="Harbour Tee", slug="harbour-tee")
    Variant.objects.create(product=product, sku="HT-M", options={"size": "M"}, price=Decimal("24.00"), stock=5)
    product.refresh_summary()
    return product


def to_delivery_step(page, postcode="00-950", city="Warszawa"):
    page.goto("/c/clothing/")
    page.get_by_role("link", name="Harbour Tee").first.click()
    page.get_by_role("button", name=re.compile("Add to cart")).click()
    page.goto("/checkout/")
    page.get_by_label("Full name").fill("Ann Nowak")
    page.get_by_label("E-mail").fill("ann@example.com")
    page.get_by_label("Phone").fill("+48 600 100 200")
    page.get_by_role("button", name="Continue to delivery").click()
    page.wait_for_url(re.compile(r"/checkout/delivery/$"))
    page.get_by_role("textbox", name="Postcode").fill(postcode)
    page.get_by_role("textbox", name="City").fill(city)
    page.get_by_role("button", name="Show delivery prices").click()
    page.get_by_text(f"Prices for delivery to {postcode} {city}").wait_for()


def finish_with(page, method):
    page.get_by_role("radio", name=re.compile(method)).check(force=True)
    page.get_by_role("button", name="Continue").click()
    # The POST asks the carriers again (within the deadline); a loaded machine may take a while to answer.
    page.wait_for_url(re.compile(r"/checkout/address/$"), timeout=45000)
    page.get_by_label("Street and number").fill("ul. Długa 5")
    assert page.get_by_label("Postcode").input_value() and page.get_by_label("City").input_value()  # from the step
    page.get_by_role("button", name="Continue to payment").click()
    page.get_by_role("radio", name=re.compile("Cash on delivery")).check(force=True)
    page.get_by_role("button", name="Review your order").click()
    page.get_by_role("button", name=re.compile("Place order")).click()
    page.wait_for_url(re.compile(r"/orders/[\w-]+/$"))


def test_carrier_hangs_shopper_checks_out_with_the_emergency_method(page, product, fake_cdek):
    fake_cdek.set_fault("hang")
    started = time.monotonic()
    to_delivery_step(page)
    took = time.monotonic() - started

    methods = page.locator(".choice-title").all_inner_texts()
    assert methods == ["Courier", "Pick up in the shop", "Standard parcel"], methods
    assert took < 10, f"contact -> delivery took {took:.1f} s while CDEK hangs (30 s read timeout)"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "delivery-carrier-hangs.png"), full_page=True)

    finish_with(page, "Standard parcel")

    order = Order.objects.get()
    assert order.delivery_name == "Standard parcel" and order.delivery_total == Decimal("15.00")
    assert not Shipment.objects.exists()  # the emergency method is shipped by hand


def test_healthy_carrier_live_price_charged_and_shipment_registered_once(page, product, fake_cdek):
    to_delivery_step(page)

    assert page.locator("label", has_text="CDEK courier").locator(".choice-price").inner_text() == "€15.50"
    assert "Standard parcel" not in page.locator(".choice-title").all_inner_texts()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "delivery-carrier-live.png"), full_page=True)

    finish_with(page, "CDEK courier")

    order = Order.objects.get()
    assert order.total == Decimal("39.50")  # 24.00 + 15.50
    shipments_sweep()  # what the worker does after commit
    shipment = Shipment.objects.get(order=order)
    assert shipment.state == Shipment.State.CREATED
    assert fake_cdek.ledger.for_number(order.number) == [(order.number, shipment.reference)]


def test_a_live_cdek_quote_for_the_shoppers_own_address_is_the_price_charged(page, product, fake_cdek):
    to_delivery_step(page, postcode="80-001", city="Gdańsk")

    # 14.00 + 1.50 for 1 kg + 8.00 for a postcode starting with 8 (the fake's distance surcharge)
    assert page.locator("label", has_text="CDEK courier").locator(".choice-price").inner_text() == "€23.50"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "delivery-priced-for-address.png"), full_page=True)
    finish_with(page, "CDEK courier")

    order = Order.objects.get()
    assert (order.delivery_total, order.total, order.postcode, order.city) == (
        Decimal("23.50"), Decimal("47.50"), "80-001", "Gdańsk")
    sent = [r for r in fake_cdek.log if "tarifflist" in r.path][-1].json()
    assert sent["to_location"] == {"postal_code": "80-001", "city": "Gdańsk", "country_code": "PL"}
