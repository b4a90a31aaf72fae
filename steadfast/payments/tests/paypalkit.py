"""Shared by the PayPal adapter tests (test_paypal_payments, test_paypal_webhooks): the PayPal fake, a provider on
it, and the steps a payment goes through, all over real HTTP through providers.call()."""

import uuid
from decimal import Decimal
from functools import partial

import httpx
import pytest
from django.test import RequestFactory

from steadfast.fakes.paypal import FakePayPal
from steadfast.money import Money
from steadfast.payments.interface import StartRequest
from steadfast.providers.call import call
from steadfast.providers.models import Provider
from steadfast.providers.registry import adapter_for
from steadfast.providers.secrets import provider_secret_env

RETURN_URL = "http://127.0.0.1:8000/checkout/return/SF-1001/"


@pytest.fixture
def fake():
    fake = FakePayPal(client_id="client-1", client_secret="secret-1", webhook_id="WH-TEST-1").start()
    yield fake
    fake.stop()


@pytest.fixture
def provider(fake, monkeypatch):
    code = f"paypal-{uuid.uuid4().hex[:8]}"
    for name, value in {"CLIENT_ID": "client-1", "CLIENT_SECRET": "secret-1", "WEBHOOK_ID": "WH-TEST-1"}.items():
        monkeypatch.setenv(provider_secret_env(code, name), value)
    return Provider.objects.create(kind=Provider.Kind.PAYMENT, code=code, adapter="paypal", name="PayPal",
                                   config={"api_base": fake.url, "connect_timeout": 1, "read_timeout": 0.5})


def run(provider, operation, method, *args):
    return call(provider, operation, partial(getattr(adapter_for(provider), method), *args), reference="SF-1001")


def parse(provider, request):
    """What the webhook view does with a delivery: read it (no I/O), then ask PayPal through call()."""
    from steadfast.payments.webhooks import _event_from

    return _event_from(provider, adapter_for(provider), request)


def start(provider, key):
    request = StartRequest(idempotency_key=key, order_number="SF-1001", amount=Money(Decimal("10.00"), "EUR"),
                           email="ann@example.com", return_url=RETURN_URL, cancel_url=RETURN_URL + "?cancel=1")
    return run(provider, "start", "start", request)


def approve(redirect, action="pay") -> httpx.Response:
    """What the customer does on PayPal's page."""
    page = httpx.get(redirect.url, trust_env=False)
    assert page.status_code == 200 and "Pay 10.00 EUR" in page.text and "value='decline'" in page.text
    return httpx.post(redirect.url, data={"action": action}, trust_env=False)


def webhook(body, headers):
    return RequestFactory().post("/payments/webhooks/paypal/", data=body, content_type="application/json",
                                 headers=headers)


def paid_event(fake, provider):
    key = str(uuid.uuid4())
    redirect = start(provider, key)
    approve(redirect)
    run(provider, "capture", "capture", key, redirect.reference)
    event = next(e for e in fake.events if e["event_type"] == "PAYMENT.CAPTURE.COMPLETED")
    return key, redirect.reference, event
