"""Forged webhooks cost nothing: refused before any verification call, rate limited per address, and verification
calls that do happen cannot take the gateway out of checkout."""

import json
import uuid
from decimal import Decimal

import pytest
from django.test import Client

from steadfast.payments.models import Payment
from steadfast.payments.tests.paypalkit import fake, paid_event, provider  # noqa: F401 (fixtures)
from steadfast.providers.models import Attempt, Provider
from steadfast.providers.selectors import providers_available

pytestmark = pytest.mark.django_db
VERIFY = "/v1/notifications/verify-webhook-signature"


@pytest.fixture
def known_payment(fake, provider, make_variant, details):  # noqa: F811
    from steadfast.checkout.services import order_place

    order, _ = order_place(lines=[(make_variant().pk, 1)], details=details, idempotency_key=str(uuid.uuid4()))
    key, order_id, event = paid_event(fake, provider)
    Payment.objects.create(order=order, provider=provider, key=uuid.UUID(key), reference=order_id,
                           amount=Decimal("10.00"), currency="EUR")
    return event


def deliver(provider, body, headers, address="198.51.100.10"):  # noqa: F811
    http_headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    return Client(REMOTE_ADDR=address).post(f"/payments/webhooks/{provider.code}/", data=body,
                                            content_type="application/json", **http_headers)


def verifications(fake):  # noqa: F811
    return [r.path for r in fake.log].count(VERIFY)


def forge(fake, event, what):  # noqa: F811
    body, headers = fake.webhook_request(event, transmitted="2020-01-01T00:00:00Z" if what == "stale" else None)
    if what == "no headers":
        headers = {}
    if what == "cert host":
        headers["PAYPAL-CERT-URL"] = "https://evil.example/cert.pem"
    if what in ("unknown payment", "unknown event"):
        data = json.loads(body)
        if what == "unknown payment":
            data["resource"]["custom_id"] = str(uuid.uuid4())
            data["resource"]["supplementary_data"]["related_ids"]["order_id"] = "NOT-OURS"
        else:
            data["event_type"] = "BILLING.SUBSCRIPTION.CREATED"
        body = json.dumps(data).encode()
    return body, headers


@pytest.mark.parametrize(("what", "status"), [("no headers", 400), ("stale", 400), ("cert host", 400),
                                              ("unknown event", 200), ("unknown payment", 200)])
def test_forged_webhooks_are_refused_without_calling_paypal(fake, provider, known_payment, what, status):  # noqa: F811
    before, attempts = verifications(fake), Attempt.objects.filter(operation="webhook").count()
    response = deliver(provider, *forge(fake, known_payment, what))
    assert response.status_code == status, response.content
    assert verifications(fake) == before, "PayPal was asked to verify a delivery the shop could refuse itself"
    assert Attempt.objects.filter(operation="webhook").count() == attempts
    assert Payment.objects.get(provider__adapter="paypal").state == Payment.State.PENDING


def test_a_genuine_webhook_still_pays_the_order(fake, provider, known_payment):  # noqa: F811
    response = deliver(provider, *fake.webhook_request(known_payment))
    assert response.status_code == 200 and response.content == b"ok"
    assert Payment.objects.get(provider__adapter="paypal").state == Payment.State.SUCCEEDED


def test_verification_failures_during_throttling_keep_paypal_in_checkout(fake, provider, known_payment):  # noqa: F811
    fake.set_fault("status", status=429)
    answers = [deliver(provider, *fake.webhook_request(known_payment)).status_code for _ in range(4)]
    assert answers == [503] * 4  # PayPal is asked to resend later
    assert Attempt.objects.filter(operation="webhook", outcome="unavailable").count() == 4  # staff still see them
    assert provider in providers_available(Provider.Kind.PAYMENT)


def test_webhooks_are_rate_limited_per_source_address(settings, fake, provider, known_payment):  # noqa: F811
    settings.RATELIMIT_WEBHOOK = "3/m"
    forged = forge(fake, known_payment, "unknown payment")
    answers = [deliver(provider, *forged, address="203.0.113.50").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    assert deliver(provider, *fake.webhook_request(known_payment), address="203.0.113.51").status_code == 200
