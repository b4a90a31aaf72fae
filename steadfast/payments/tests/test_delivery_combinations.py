"""Payment and delivery go together: cash on delivery needs a courier, pay at pickup needs a pickup, and bank
transfer is worded for the delivery chosen (no "we ship" to a customer who collects the order)."""

import dataclasses
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from steadfast.catalog.models import Variant
from steadfast.checkout.services import CheckoutError, order_place
from steadfast.checkout.tests.walk import CONTACT, add_to_cart, place
from steadfast.orders.models import Order
from steadfast.payments.routing import payment_methods

PICKUP = {"delivery_method": "pickup", "address_line1": "", "postcode": "", "city": "", "country": ""}
SHOTS = Path(settings.BASE_DIR) / "var" / "shots"


@pytest.mark.django_db
def test_cash_on_delivery_with_pickup_is_refused_and_nothing_changes(make_variant, details):
    variant = make_variant(stock=3)
    with pytest.raises(CheckoutError, match="needs a delivery to your address"):
        order_place(lines=[(variant.pk, 1)], details=dataclasses.replace(details, **PICKUP), idempotency_key="p-1")
    assert not Order.objects.exists() and Variant.objects.get(pk=variant.pk).stock == 3


@pytest.mark.django_db
def test_bank_transfer_instructions_follow_the_delivery(make_variant, details):
    variant = make_variant(stock=5)
    courier, _ = order_place(lines=[(variant.pk, 1)], details=dataclasses.replace(
        details, payment_method="bank_transfer"), idempotency_key="bt-1")
    pickup, _ = order_place(lines=[(variant.pk, 1)], details=dataclasses.replace(
        details, payment_method="bank_transfer", **PICKUP), idempotency_key="bt-2")
    assert "We ship as soon as the money arrives" in courier.payments.get().instructions
    collect = pickup.payments.get().instructions
    assert "ready to collect as soon as the money arrives" in collect and "ship" not in collect


@pytest.mark.django_db
def test_order_page_menu_follows_the_order_delivery(make_variant, details):
    variant = make_variant(stock=5)
    courier, _ = order_place(lines=[(variant.pk, 1)], details=dataclasses.replace(
        details, payment_method="bank_transfer"), idempotency_key="m-1")
    pickup, _ = order_place(lines=[(variant.pk, 1)], details=dataclasses.replace(
        details, payment_method="bank_transfer", **PICKUP), idempotency_key="m-2")
    courier_menu = {c.provider.code: c.description for c in payment_methods(courier).choices}
    pickup_menu = {c.provider.code: c.description for c in payment_methods(pickup).choices}
    assert "cash_on_delivery" in courier_menu and "cash_on_delivery" not in pickup_menu
    assert "we ship when the money arrives" in courier_menu["bank_transfer"]
    assert "ready to collect when the money arrives" in pickup_menu["bank_transfer"]


@pytest.mark.django_db
def test_payment_step_refuses_cash_on_delivery_with_pickup(client, make_variant):
    add_to_cart(client, make_variant(stock=3))
    client.post(reverse("checkout:contact"), CONTACT)
    client.post(reverse("checkout:delivery"), {"method": "pickup"})
    refused = client.post(reverse("checkout:payment"), {"method": "cash_on_delivery"})
    assert refused.status_code == 200 and "Please choose one of the payment methods shown." in refused.content.decode()
    assert client.post(reverse("checkout:payment"), {"method": "bank_transfer"})["Location"] == reverse(
        "checkout:review")
    review = client.get(reverse("checkout:review"))
    place(client, review)
    order = Order.objects.get()
    assert "ready to collect as soon as the money arrives" in client.get(order.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_api_options_follow_the_delivery(client, make_variant):
    add_to_cart(client, make_variant(stock=3))

    def methods(**params):
        body = client.get("/api/v1/checkout/options", params).json()
        return {p["code"]: p for p in body["payment_methods"]}

    every = methods()
    assert every["cash_on_delivery"]["delivery_methods"] == ["courier"]
    assert every["pay_at_pickup"]["delivery_methods"] == ["pickup"]
    assert set(every["bank_transfer"]["delivery_methods"]) == {"courier", "pickup"}
    pickup = methods(delivery="pickup")
    assert "cash_on_delivery" not in pickup and "pay_at_pickup" in pickup
    assert pickup["bank_transfer"]["description"].endswith("ready to collect when the money arrives.")
    courier = methods(delivery="courier")
    assert "pay_at_pickup" not in courier and "cash_on_delivery" in courier
    assert courier["bank_transfer"]["description"].endswith("we ship when the money arrives.")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_delivery_chosen_changes_the_payment_methods_offered(page, make_variant):
    variant = make_variant(stock=5, name="Harbour poster")
    page.goto(f"/p/{variant.product.slug}/")
    page.get_by_role("button", name=re.compile("Add to cart")).click()
    page.goto("/checkout/")
    page.get_by_label("Full name").fill("Ann Nowak")
    page.get_by_label("E-mail").fill("ann@example.com")
    page.get_by_label("Phone").fill("+48 600 100 200")
    page.get_by_role("button", name="Continue to delivery").click()
    page.get_by_role("radio", name=re.compile("Pick up in the shop")).check(force=True)
    page.get_by_role("button", name="Continue").click()

    methods = page.locator("label.choice:not(.unavailable)")
    assert not any("Cash on delivery" in text for text in methods.all_inner_texts())
    transfer = page.locator("label.choice", has_text="Bank transfer").inner_text()
    assert "ready to collect when the money arrives" in transfer and "ship" not in transfer
    assert page.locator("label.choice", has_text="Pay at pickup").count() == 1
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "payment-with-pickup.png", full_page=True)

    page.get_by_role("link", name="Back").click()
    page.get_by_role("radio", name=re.compile("Courier")).check(force=True)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Street and number").fill("ul. Długa 5")
    page.get_by_label("Postcode").fill("00-950")
    page.get_by_label("City").fill("Warszawa")
    page.get_by_role("button", name="Continue to payment").click()
    assert page.locator("label.choice", has_text="Cash on delivery").count() == 1
    assert page.locator("label.choice", has_text="Pay at pickup").count() == 0
    assert "we ship when the money arrives" in page.locator("label.choice", has_text="Bank transfer").inner_text()
    page.screenshot(path=SHOTS / "payment-with-courier.png", full_page=True)
