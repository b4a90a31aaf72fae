"""PayPal and YooKassa end to end through the payment services and the webhook view, against their fakes."""

import json
import uuid
from dataclasses import replace

import httpx
import pytest

from steadfast.fakes.paypal import FakePayPal
from steadfast.fakes.yookassa import FakeYooKassa
from steadfast.orders.models import OrderStatus
from steadfast.payments.models import Payment
from steadfast.payments.services import payment_confirm, payment_start
from steadfast.providers.models import Provider
from steadfast.providers.secrets import provider_secret_env

pytestmark = pytest.mark.django_db
SECRETS = {  # the fakes' default credentials
    "paypal": {"CLIENT_ID": "fake-client-id", "CLIENT_SECRET": "fake-client-secret", "WEBHOOK_ID": "WH-FAKE-0001"},
    "yookassa": {"SHOP_ID": "100500", "SECRET_KEY": "test_fake_secret"},
}


@pytest.fixture(params=["paypal", "yookassa"])
def gateway(request, monkeypatch):
    """(fake, provider) for each hosted gateway, with the fakes' default credentials in the environment."""
    fake = (FakePayPal if request.param == "paypal" else FakeYooKassa)().start()
    code = f"{request.param}-{uuid.uuid4().hex[:8]}"
    for name, value in SECRETS[request.param].items():
        monkeypatch.setenv(provider_secret_env(code, name), value)
    provider = Provider.objects.create(kind=Provider.Kind.PAYMENT, code=code, adapter=request.param, name=code,
                                       config={"api_base": fake.url, "connect_timeout": 1, "read_timeout": 0.5})
    yield fake, provider
    fake.stop()


@pytest.fixture
def order(make_variant, details, gateway):
    from steadfast.checkout.services import order_place

    variant = make_variant(stock=5, price="20.00")
    placed, _ = order_place(lines=[(variant.pk, 1)], details=replace(details, payment_method=gateway[1].code),
                            idempotency_key=f"hosted-{uuid.uuid4().hex}")
    return placed


def press(url, action="pay"):
    with httpx.Client(trust_env=False, timeout=10) as client:
        assert client.get(url).status_code == 200
        return client.post(url, data={"action": action})


def test_pay_on_the_fake_and_return_marks_the_order_paid_once(gateway, order):
    fake, provider = gateway
    redirect = payment_start(order, provider, return_url="http://testserver/orders/x/")
    back = press(redirect.url)
    assert back.headers["Location"].startswith("http://testserver/orders/x/?payment=")

    payment = payment_confirm(Payment.objects.get(order=order))
    payment_confirm(payment)  # a second return (reload) changes nothing

    order.refresh_from_db()
    assert payment.state == Payment.State.SUCCEEDED and order.status == OrderStatus.PAID
    assert [c.key for c in fake.ledger.successful()] == [str(payment.key)]
    assert payment.charge_reference == fake.ledger.successful()[0].reference


def test_webhook_view_accepts_genuine_and_redelivered_and_refuses_forged(gateway, order, client):
    fake, provider = gateway
    redirect = payment_start(order, provider, return_url="http://testserver/orders/x/")
    url = f"/payments/webhooks/{provider.code}/"
    if isinstance(fake, FakePayPal):
        press(redirect.url)
        payment_confirm(Payment.objects.get(order=order))  # captures; the fake emits PAYMENT.CAPTURE.COMPLETED
        event = next(e for e in fake.events if e["event_type"] == "PAYMENT.CAPTURE.COMPLETED")
        body, headers = fake.webhook_request(event)
        forged = body.replace(b"COMPLETED", b"REFUNDED")
    else:
        forged = json.dumps(fake.notification(redirect.reference, "payment.succeeded") | {
            "object": {"id": redirect.reference, "status": "succeeded", "paid": True}}).encode()
        headers = {}
        assert client.post(url, forged, content_type="application/json").status_code == 200
        assert Payment.objects.get(order=order).state == Payment.State.PENDING  # the API said: not paid
        press(redirect.url)
        body = json.dumps(fake.notification(redirect.reference)).encode()
        forged = body.replace(redirect.reference.encode(), str(uuid.uuid4()).encode())

    assert client.post(url, body, content_type="application/json", headers=headers).status_code == 200
    redelivered = client.post(url, body, content_type="application/json", headers=headers)
    assert (redelivered.status_code, redelivered.content) == (200, b"already processed")  # changes nothing
    assert client.post(url, forged, content_type="application/json", headers=headers).status_code == 400
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and len(fake.ledger.successful()) == 1


def test_webhook_that_cannot_be_verified_now_asks_for_a_retry(gateway, order, client):
    fake, provider = gateway
    redirect = payment_start(order, provider, return_url="http://testserver/orders/x/")
    press(redirect.url)
    if isinstance(fake, FakePayPal):
        payment_confirm(Payment.objects.get(order=order))
        event = next(e for e in fake.events if e["event_type"] == "PAYMENT.CAPTURE.COMPLETED")
        body, headers = fake.webhook_request(event)
    else:
        body, headers = json.dumps(fake.notification(redirect.reference)).encode(), {}
    fake.set_fault("status", status=503)  # verifying needs the provider's API, which is down now

    response = client.post(f"/payments/webhooks/{provider.code}/", body, content_type="application/json",
                           headers=headers)

    assert response.status_code == 503 and response["Retry-After"] == "60"
    assert not provider.webhook_events.exists()
    fake.set_fault("ok")
    again = client.post(f"/payments/webhooks/{provider.code}/", body, content_type="application/json",
                        headers=headers)
    assert again.status_code == 200  # the provider's retry is processed once it can be verified
