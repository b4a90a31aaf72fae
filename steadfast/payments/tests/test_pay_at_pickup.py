"""Pay at pickup: an offline method offered only when the customer collects the order in the shop."""

import dataclasses

import pytest
from django.urls import reverse

from steadfast.catalog.models import Variant
from steadfast.checkout.services import CheckoutError, order_place
from steadfast.checkout.tests.walk import ADDRESS, CONTACT, add_to_cart, place
from steadfast.orders.models import Order, OrderStatus
from steadfast.payments.routing import payment_methods
from steadfast.providers.models import Provider

pytestmark = pytest.mark.django_db
PICKUP = {"delivery_method": "pickup", "address_line1": "", "postcode": "", "city": "", "country": ""}


def test_the_migration_adds_it_enabled_after_cash_on_delivery():
    codes = list(Provider.objects.filter(kind="payment", enabled=True).order_by("priority").values_list("code",
                                                                                                        flat=True))
    assert codes.index("cash_on_delivery") + 1 == codes.index("pay_at_pickup")


def test_pickup_order_with_pay_at_pickup_awaits_payment_at_the_counter(make_variant, details):
    variant = make_variant(stock=3, price="30.00")
    order, _ = order_place(lines=[(variant.pk, 1)], details=dataclasses.replace(
        details, payment_method="pay_at_pickup", **PICKUP), idempotency_key="pickup-1")
    assert order.status == OrderStatus.AWAITING_OFFLINE_PAYMENT and order.reserved_until is None
    payment = order.payments.get()
    assert payment.provider.code == "pay_at_pickup" and "when you collect your order" in payment.instructions


def test_courier_order_with_pay_at_pickup_is_refused_and_nothing_changes(make_variant, details):
    variant = make_variant(stock=3)
    with pytest.raises(CheckoutError, match="only possible when you collect the order"):
        order_place(lines=[(variant.pk, 1)], details=dataclasses.replace(details, payment_method="pay_at_pickup"),
                    idempotency_key="courier-1")
    assert not Order.objects.exists() and Variant.objects.get(pk=variant.pk).stock == 3


def test_payment_step_offers_it_only_with_pickup(client, make_variant):
    add_to_cart(client, make_variant(stock=3))
    client.post(reverse("checkout:contact"), CONTACT)
    client.post(reverse("checkout:delivery"), {"method": "courier"})
    page = client.post(reverse("checkout:address"), ADDRESS, follow=True).content.decode()
    assert "Cash on delivery" in page and "Pay at pickup" not in page
    refused = client.post(reverse("checkout:payment"), {"method": "pay_at_pickup"})
    assert refused.status_code == 200 and "Please choose one of the payment methods shown." in refused.content.decode()

    client.post(reverse("checkout:delivery"), {"method": "pickup"})
    page = client.get(reverse("checkout:payment")).content.decode()
    assert "Cash on delivery" not in page and page.index("Pay at pickup") < page.index("Bank transfer")
    assert client.post(reverse("checkout:payment"), {"method": "pay_at_pickup"})["Location"] == reverse(
        "checkout:review")

    # Back to courier after choosing it: the payment step must be done again, and placing is refused.
    client.post(reverse("checkout:delivery"), {"method": "courier"})
    client.post(reverse("checkout:address"), ADDRESS)
    assert client.get(reverse("checkout:review"))["Location"] == reverse("checkout:payment")


def test_placed_through_checkout_with_pickup(client, make_variant):
    add_to_cart(client, make_variant(stock=3))
    client.post(reverse("checkout:contact"), CONTACT)
    client.post(reverse("checkout:delivery"), {"method": "pickup"})
    client.post(reverse("checkout:payment"), {"method": "pay_at_pickup"})
    response = place(client, client.get(reverse("checkout:review")))
    order = Order.objects.get()
    assert response["Location"] == order.get_absolute_url()
    assert order.payment_method == "pay_at_pickup" and order.status == OrderStatus.AWAITING_OFFLINE_PAYMENT
    assert "when you collect your order in the shop" in client.get(order.get_absolute_url()).content.decode()


def test_order_page_menu_offers_it_only_for_pickup_orders(make_variant, details):
    variant = make_variant(stock=5)
    courier, _ = order_place(lines=[(variant.pk, 1)], details=details, idempotency_key="m-1")
    pickup, _ = order_place(lines=[(variant.pk, 1)], details=dataclasses.replace(
        details, payment_method="bank_transfer", **PICKUP), idempotency_key="m-2")
    assert "pay_at_pickup" not in {c.provider.code for c in payment_methods(courier).choices}
    assert "pay_at_pickup" in {c.provider.code for c in payment_methods(pickup).choices}
