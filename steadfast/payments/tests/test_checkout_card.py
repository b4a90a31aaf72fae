"""Checkout with a card: the order is placed first, then the customer goes to the gateway (or learns it is down)."""

import pytest

from steadfast.checkout.tests.walk import add_to_cart, place, walk_to_review
from steadfast.orders.models import Order, OrderStatus
from steadfast.payments.models import Payment
from steadfast.providers.breaker import breaker_admit, breaker_record

pytestmark = pytest.mark.django_db


def test_placing_a_card_order_sends_the_customer_to_the_gateway(client, make_variant, fake_stripe, stripe_provider):
    variant = make_variant(stock=2, price="30.00")
    add_to_cart(client, variant)
    response = place(client, walk_to_review(client, payment="stripe"))
    assert response.status_code == 302 and response["Location"].startswith(fake_stripe.url + "/pay/cs_test_")
    order = Order.objects.get()
    assert order.status == OrderStatus.PENDING_PAYMENT and order.payment_method == "stripe"
    variant.refresh_from_db()
    assert variant.stock == 1  # reserved before any money moved
    payment = order.payments.get()
    session = fake_stripe.sessions[payment.reference]
    assert session["success_url"] == f"http://testserver{order.get_absolute_url()}?payment={payment.key}"


@pytest.mark.parametrize("fault", ["malformed", "status", "reset"])
def test_gateway_garbage_or_failure_at_place_shows_the_order_never_a_500(client, make_variant, fake_stripe,
                                                                         stripe_provider, fault):
    add_to_cart(client, make_variant(stock=2))
    review = walk_to_review(client, payment="stripe")
    fake_stripe.set_fault(fault)
    response = place(client, review, )
    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == order.get_absolute_url()
    page = client.get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    if fault == "reset":  # the answer was lost: the customer never got the card page, so other ways are offered
        assert "could not open the payment page" in text and 'value="cash_on_delivery"' in text
        assert "Confirming your payment" not in text
        payment = order.payments.get()
        assert payment.state == Payment.State.FAILED and payment.expire_due  # its session is closed in the background
    else:
        assert "Card payments are temporarily unavailable" in text and 'value="cash_on_delivery"' in text
    assert order.status == OrderStatus.PENDING_PAYMENT


def test_open_breaker_shows_card_as_temporarily_unavailable_at_checkout(client, make_variant, stripe_provider):
    for _ in range(3):
        breaker_record(stripe_provider, breaker_admit(stripe_provider), "unavailable", "test outage")
    add_to_cart(client, make_variant(stock=2))
    walk_to_review(client)  # fills the steps with cash on delivery
    page = client.get("/checkout/payment/").content.decode()
    assert 'value="stripe" disabled' in page and "temporarily unavailable" in page
    assert client.post("/checkout/payment/", {"method": "stripe"}).status_code == 200  # refused, form shown again
