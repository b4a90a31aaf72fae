"""InPost webhooks are signed (X-InPost-Signature: Base64 HMAC-SHA256 under STEADFAST_INPOST_WEBHOOK_SECRET of the
raw body, or of "<X-InPost-Timestamp>.<body>"): a forged, unsigned or unconfigured delivery is refused and changes
nothing."""

import json
import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from steadfast.checkout.services import order_place
from steadfast.orders.services import SYSTEM, order_mark_paid
from steadfast.payments.models import WebhookEvent
from steadfast.shipping.models import DeliveryMethod, Shipment
from steadfast.shipping.tasks import shipments_sweep
from steadfast.shipping.tests.conftest import quote_for
from steadfast.shipping.webhooks import body_signature

SECRET = "inpost-hook-secret"
URL = f"/shipping/webhooks/inpost/{SECRET}/"


@pytest.fixture
def shipment(inpost, fake_inpost, shop_defaults, make_variant, details, settings, monkeypatch):
    """A courier parcel registered at the InPost fake, which has since been delivered (no webhook sent yet)."""
    settings.SHOP_CURRENCY = "PLN"
    monkeypatch.setenv("STEADFAST_INPOST_WEBHOOK_SECRET", SECRET)
    method = DeliveryMethod.objects.create(code="inpost", name="InPost courier", kind="carrier", provider=inpost,
                                           service="inpost_courier_standard")
    variant = make_variant(stock=3, price="49.00")
    quote_for([method], variant)
    order, _ = order_place(lines=[(variant.pk, 1)], idempotency_key="k-signed", details=replace(
        details, delivery_method="inpost", payment_method="bank_transfer"))
    with transaction.atomic():
        order_mark_paid(order, SYSTEM)
    shipments_sweep()
    shipments_sweep(timezone.now() + timedelta(minutes=5))
    shipment = Shipment.objects.get(order=order)
    assert shipment.state == Shipment.State.CREATED, shipment.last_error
    fake_inpost.shipments[shipment.reference]["status"] = "delivered"
    return shipment


def _event(shipment) -> bytes:
    return json.dumps({"event": "shipment_status_changed", "event_ts": datetime.now(UTC).isoformat(),
                       "payload": {"shipment_id": int(shipment.reference), "status": "delivered"}}).encode()


def _post(client, body, signature=None, timestamp=None):
    headers = {"X-InPost-Signature": signature} if signature is not None else {}
    if timestamp is not None:
        headers["X-InPost-Timestamp"] = timestamp
    return client.post(URL, body, content_type="application/json", headers=headers)


def _unchanged(shipment):
    assert Shipment.objects.get(pk=shipment.pk).state == Shipment.State.CREATED, "a refused webhook changed it"
    assert not WebhookEvent.objects.filter(provider=shipment.provider).exists()


def test_a_signed_webhook_is_applied(shipment, client):
    body = _event(shipment)
    response = _post(client, body, body_signature(SECRET, body))

    assert (response.status_code, response.content) == (200, b"ok")
    assert Shipment.objects.get(pk=shipment.pk).state == Shipment.State.DELIVERED


def test_a_webhook_signed_with_its_timestamp_is_applied(shipment, client):
    body, timestamp = _event(shipment), "2026-12-01T10:00:00.000+01:00"
    response = _post(client, body, body_signature(SECRET, body, timestamp), timestamp)

    assert (response.status_code, response.content) == (200, b"ok")
    assert Shipment.objects.get(pk=shipment.pk).state == Shipment.State.DELIVERED


def test_a_timestamped_signature_sent_with_another_timestamp_is_refused(shipment, client):
    body = _event(shipment)
    signature = body_signature(SECRET, body, "2026-12-01T10:00:00.000+01:00")
    assert _post(client, body, signature, "2026-12-01T10:05:00.000+01:00").status_code == 403
    _unchanged(shipment)


@pytest.mark.parametrize("signature", [None, "", "0" * 64, "sign-of-another-body"])
def test_an_unsigned_or_forged_webhook_gets_403_and_changes_nothing(shipment, client, signature, caplog):
    body = _event(shipment)
    if signature == "sign-of-another-body":
        signature = body_signature(SECRET, body + b" ")
    with caplog.at_level(logging.WARNING, logger="steadfast.shipping.webhooks"):
        response = _post(client, body, signature)

    assert response.status_code == 403
    _unchanged(shipment)
    assert "without a valid X-InPost-Signature: refused" in caplog.text


def test_a_webhook_signed_with_another_secret_is_refused(shipment, client):
    body = _event(shipment)
    assert _post(client, body, body_signature("not-the-shops-secret", body)).status_code == 403
    _unchanged(shipment)


def test_without_the_secret_configured_the_endpoint_says_so_and_changes_nothing(shipment, client, monkeypatch,
                                                                                caplog):
    monkeypatch.delenv("STEADFAST_INPOST_WEBHOOK_SECRET")
    body = _event(shipment)
    with caplog.at_level(logging.WARNING, logger="steadfast.shipping.webhooks"):
        response = _post(client, body, body_signature(SECRET, body))

    assert response.status_code == 404 and b"no webhooks for this carrier" in response.content
    assert "STEADFAST_INPOST_WEBHOOK_SECRET is not set" in caplog.text
    _unchanged(shipment)
