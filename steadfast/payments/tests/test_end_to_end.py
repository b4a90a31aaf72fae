"""The whole card journey over real HTTP: the shop (live server), the Stripe fake, and a customer's browser (httpx)."""

import re
from dataclasses import replace

import httpx
import pytest

from steadfast.checkout.services import order_place
from steadfast.orders.models import OrderStatus
from steadfast.payments.models import Payment, WebhookEvent
from steadfast.payments.tests.conftest import csrf_token


@pytest.fixture
def shop(live_server, shop_defaults, stripe_provider, fake_stripe, make_variant, details):
    fake_stripe.webhook_url = f"{live_server.url}/payments/webhooks/stripe/"
    variant = make_variant(stock=3, price="20.00")
    order, _ = order_place(lines=[(variant.pk, 1)], details=replace(details, payment_method="stripe"),
                           idempotency_key="e2e-1")
    with httpx.Client(base_url=live_server.url, trust_env=False, timeout=15) as browser:
        yield order, browser


def choose(browser, order, method):
    """On the order page, pick a payment method and press Pay; returns the shop's answer (not followed)."""
    page = browser.get(order.get_absolute_url())
    assert page.status_code == 200
    return browser.post(f"/payments/order/{order.token}/pay/", data={
        "method": method, "csrfmiddlewaretoken": csrf_token(page.text)})


def test_card_payment_start_redirect_pay_return_webhook_paid(shop, fake_stripe):
    order, browser = shop
    to_gateway = choose(browser, order, "stripe")
    assert to_gateway.status_code == 302 and to_gateway.headers["Location"].startswith(fake_stripe.url + "/pay/")

    hosted = browser.get(to_gateway.headers["Location"])
    assert "Pay 24.90 EUR" in hosted.text  # 20.00 + 4.90 courier
    back = browser.post(to_gateway.headers["Location"], data={"action": "pay"})
    assert back.status_code == 303 and fake_stripe.webhook_failures == []
    page = browser.get(back.headers["Location"], follow_redirects=True)
    assert "Thank you! Your payment was received." in page.text and "Paid on" in page.text

    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    payment = order.payments.get()
    assert payment.state == Payment.State.SUCCEEDED and WebhookEvent.objects.filter(payment=payment).count() == 1
    assert [(c["order"], c["refunded"]) for c in fake_stripe.charges()] == [(order.number, 0)]


def test_gateway_down_then_other_method_on_the_same_order(shop, fake_stripe):
    order, browser = shop
    fake_stripe.set_fault("status", status=503)
    answer = choose(browser, order, "stripe")
    assert answer.status_code == 302 and answer.headers["Location"] == order.get_absolute_url()
    page = browser.get(answer.headers["Location"]).text
    assert "Card payments are temporarily unavailable" in page
    assert re.search(r'value="stripe" disabled', page) and 'value="bank_transfer" required' in page

    answer = choose(browser, order, "bank_transfer")
    page = browser.get(answer.headers["Location"]).text
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_OFFLINE_PAYMENT and order.stock_reserved
    assert "Transfer" in page and order.number in page
    assert fake_stripe.charges() == []


def test_customer_goes_back_from_the_hosted_page(shop, fake_stripe):
    order, browser = shop
    hosted = choose(browser, order, "stripe").headers["Location"]
    browser.post(hosted, data={"action": "decline"})
    back = browser.post(hosted, data={"action": "cancel"})
    page = browser.get(back.headers["Location"], follow_redirects=True).text
    assert "Your payment was not completed" in page and "Pay for your order" in page
    payment = order.payments.get()
    assert payment.state == Payment.State.CANCELLED
    assert fake_stripe.sessions[payment.reference]["status"] == "expired"  # cannot be paid later by mistake
