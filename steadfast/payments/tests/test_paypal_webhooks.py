"""PayPal webhooks: a genuine one is verified by asking PayPal, forgeries are refused (some without asking)."""


import pytest

from steadfast.payments.interface import PaymentState, WebhookRejected
from steadfast.payments.tests import paypalkit
from steadfast.payments.tests.paypalkit import paid_event, parse, webhook
from steadfast.providers.errors import Unavailable
from steadfast.providers.models import Attempt

pytestmark = pytest.mark.django_db
fake, provider = paypalkit.fake, paypalkit.provider  # the fixtures (PayPal fake, a provider on it)


def test_genuine_webhook_is_verified_by_paypal(fake, provider):
    key, order_id, event = paid_event(fake, provider)

    parsed = parse(provider, webhook(*fake.webhook_request(event)))

    assert (parsed.id, parsed.kind, parsed.reference, parsed.payment_key) == (
        event["id"], "PAYMENT.CAPTURE.COMPLETED", order_id, key)
    assert parsed.status.state == PaymentState.SUCCEEDED
    assert parsed.status.charge_reference == fake.ledger.successful(key)[0].reference
    assert any(r.path == "/v1/notifications/verify-webhook-signature" for r in fake.log)


@pytest.mark.parametrize("forgery", ["bad_signature", "tampered", "other webhook", "stale", "no headers"])
def test_forged_webhooks_are_rejected(fake, provider, forgery):
    _, _, event = paid_event(fake, provider)
    body, headers = fake.webhook_request(
        event, webhook_id="WH-SOMEONE-ELSE" if forgery == "other webhook" else None,
        transmitted="2020-01-01T00:00:00Z" if forgery == "stale" else None)
    if forgery == "bad_signature":
        fake.set_fault("bad_signature", times=1)
    if forgery == "tampered":
        body = body.replace(b'"10.00"', b'"0.01"')
    if forgery == "no headers":
        headers = {}
    verifications = [r.path for r in fake.log].count("/v1/notifications/verify-webhook-signature")

    with pytest.raises(WebhookRejected):
        parse(provider, webhook(body, headers))
    if forgery in ("stale", "no headers"):  # refused by reading alone: nothing sent, nothing counted
        assert not Attempt.objects.filter(provider=provider, operation="webhook").exists()

    asked = [r.path for r in fake.log].count("/v1/notifications/verify-webhook-signature") - verifications
    assert asked == (0 if forgery in ("stale", "no headers") else 1)


def test_webhook_when_paypal_cannot_be_asked_is_unavailable(fake, provider):
    _, _, event = paid_event(fake, provider)
    request = webhook(*fake.webhook_request(event))
    fake.set_fault("status", status=503)
    with pytest.raises(Unavailable):
        parse(provider, request)
