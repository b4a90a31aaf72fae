"""After registration: the label kept as a file, carrier status by webhook (verified, deduped) or by polling, the
customer told once per milestone through the outbox, the order delivered through its state machine."""

import json
from datetime import timedelta

import httpx
import pytest
from django.utils import timezone

from steadfast.notify.models import OutboxMessage
from steadfast.orders.models import Order, OrderStatus
from steadfast.payments.models import WebhookEvent
from steadfast.shipping.labels import shipment_label_fetch
from steadfast.shipping.models import Shipment
from steadfast.shipping.tasks import shipments_sweep, shipments_track
from steadfast.testing import wait_until

SECRET = "hook-secret-0123456789"
LATER = timedelta(hours=2)


@pytest.fixture
def registered(paid_order, fake_cdek, settings, tmp_path):
    settings.SHIPPING_LABEL_DIR = tmp_path / "labels"
    shipments_sweep()
    shipment = Shipment.objects.get(order=paid_order)
    assert shipment.state == Shipment.State.CREATED
    return shipment


@pytest.fixture
def hooked(registered, fake_cdek, live_server, monkeypatch):
    monkeypatch.setenv("STEADFAST_CDEK_WEBHOOK_SECRET", SECRET)
    fake_cdek.webhook_url = f"{live_server.url}/shipping/webhooks/cdek/{SECRET}/"
    return registered


def messages_of(order):
    return {m.key: m for m in OutboxMessage.objects.filter(order=order)}


def test_the_label_is_fetched_from_the_carrier_kept_as_a_file_and_downloaded_by_staff(
        registered, admin_client, client, settings):
    shipment = shipment_label_fetch(registered.pk)

    path = settings.SHIPPING_LABEL_DIR / shipment.label.name
    assert path.read_bytes().startswith(b"%PDF-") and b"SF-" in path.read_bytes()
    assert Shipment.objects.filter(pk=shipment.pk).values_list("label", flat=True)[0] == shipment.label.name
    url = f"/admin/shipping/shipment/{shipment.pk}/label/"
    download = admin_client.get(url)
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == path.read_bytes()
    assert client.get(url).status_code == 302  # not staff: to the login page
    page = admin_client.get(f"/admin/orders/order/{shipment.order.pk}/change/").content.decode()
    assert "Download label" in page and shipment.tracking_number in page


def test_a_carrier_webhook_moves_the_order_and_tells_the_customer_once_per_milestone(hooked, fake_cdek):
    order = hooked.order
    fake_cdek.status_add(hooked.reference, "ACCEPTED_AT_PICK_UP_POINT", "Accepted at the pickup point", "Moscow")

    wait_until(lambda: f"tracking:{hooked.pk}:ready_for_pickup" in messages_of(order),
               describe="the ready-for-pickup message")
    sent = messages_of(order)
    shipped = sent[f"order_shipped:{order.pk}"]  # implied by the later status: one message, with tracking
    assert shipped.payload["tracking_number"] == hooked.tracking_number
    assert shipped.payload["tracking_url"] == f"https://www.cdek.ru/ru/tracking?order_id={hooked.tracking_number}"
    assert Order.objects.get(pk=order.pk).status == OrderStatus.FULFILLED

    body = fake_cdek.status_add(hooked.reference, "DELIVERED", "Delivered", "Moscow")
    wait_until(lambda: Order.objects.get(pk=order.pk).status == OrderStatus.DELIVERED,
               describe="the order delivered through the state machine")
    again = httpx.post(fake_cdek.webhook_url, content=json.dumps(body), timeout=10)  # the carrier redelivers

    assert again.status_code == 200 and again.text == "already processed"
    keys = sorted(k for k in messages_of(order) if "tracking" in k or "shipped" in k)
    assert keys == sorted([f"order_shipped:{order.pk}", f"tracking:{hooked.pk}:in_transit",
                           f"tracking:{hooked.pk}:ready_for_pickup", f"tracking:{hooked.pk}:delivered"])
    assert WebhookEvent.objects.filter(kind="shipment").count() == 2
    assert Shipment.objects.get(pk=hooked.pk).state == Shipment.State.DELIVERED


def test_forged_webhooks_change_nothing(hooked, fake_cdek, live_server):
    order = hooked.order
    forged = {"type": "ORDER_STATUS", "uuid": hooked.reference,
              "attributes": {"number": order.number, "code": "DELIVERED", "status_date_time": "2026-01-01"}}
    base = f"{live_server.url}/shipping/webhooks/cdek"

    wrong_secret = httpx.post(f"{base}/not-the-secret/", json=forged, timeout=10)
    right_secret = httpx.post(f"{base}/{SECRET}/", json=forged, timeout=10)  # a leaked URL, a made-up status

    assert wrong_secret.status_code == 403
    assert right_secret.status_code == 200  # answered, but the status was read back from CDEK: still "created"
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID
    assert Shipment.objects.get(pk=hooked.pk).state == Shipment.State.CREATED
    assert not [k for k in messages_of(order) if k.startswith(("tracking:", "order_shipped:"))]
    assert httpx.post(f"{base}/{SECRET}/", content=b"{not json", timeout=10).status_code == 400


def test_webhooks_are_off_without_a_secret(registered, live_server, monkeypatch):
    monkeypatch.delenv("STEADFAST_CDEK_WEBHOOK_SECRET", raising=False)

    answer = httpx.post(f"{live_server.url}/shipping/webhooks/cdek/anything/", json={}, timeout=10)

    assert answer.status_code == 404


def test_polling_sends_the_same_messages_when_no_webhook_comes(registered, fake_cdek):
    order = registered.order
    fake_cdek.status_add(registered.reference, "RECEIVED_AT_SHIPMENT_WAREHOUSE", "Received at the warehouse")

    shipments_track(timezone.now() + LATER)

    assert f"order_shipped:{order.pk}" in messages_of(order)
    assert not [k for k in messages_of(order) if k.startswith("tracking:")]
    assert Order.objects.get(pk=order.pk).status == OrderStatus.FULFILLED
