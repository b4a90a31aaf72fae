"""Shipments waiting for their carrier: one staff alert when one has waited longer than SHIPPING_BACKLOG_MINUTES,
one all-clear when none does, not one per minute of the outage."""

from datetime import timedelta

from django.core import mail
from django.utils import timezone

from steadfast.notify.models import OutboxAlarm, OutboxMessage
from steadfast.notify.tasks import outbox_sweep
from steadfast.shipping.models import Shipment
from steadfast.shipping.tasks import shipments_sweep, shipments_watch_task
from steadfast.shipping.watch import shipments_watch


def alerts():
    return list(OutboxMessage.objects.filter(kind="staff_shipments").order_by("pk").values_list("payload", flat=True))


def test_a_carrier_outage_makes_one_alert_and_one_all_clear(paid_order, fake_cdek, settings, admin_client):
    settings.STAFF_ALERT_EMAILS = ["oncall@example.com"]
    settings.SHIPPING_BACKLOG_MINUTES = 30
    fake_cdek.set_fault("status", status=503)
    start = timezone.now()
    shipments_sweep(start)
    assert Shipment.objects.get(order=paid_order).state == Shipment.State.WAITING

    assert shipments_watch(start + timedelta(minutes=29)) == ""  # not late yet
    assert shipments_watch(start + timedelta(minutes=31)) == "start"
    for minute in range(32, 40):  # the outage goes on: the worker's tick runs every minute, nobody is told again
        assert shipments_watch(start + timedelta(minutes=minute)) == ""
    [alert] = alerts()
    assert alert["state"] == "start" and alert["waiting"] == 1
    listing = admin_client.get(alert["admin_url"].removeprefix(settings.SITE_URL.rstrip("/")))
    assert listing.status_code == 200 and paid_order.number in listing.content.decode()  # the link shows them
    outbox_sweep()
    [sent] = [m for m in mail.outbox if m.subject.startswith("[shipping]")]
    assert sent.to == ["oncall@example.com"] and sent.subject == "[shipping] 1 shipment waiting for its carrier"
    assert "has waited more than 30 min to be registered at its carrier" in sent.body

    fake_cdek.set_fault("ok")
    later = start + timedelta(hours=2)
    shipments_sweep(later)
    assert Shipment.objects.get(order=paid_order).state == Shipment.State.CREATED
    assert shipments_watch(later) == "end"
    assert shipments_watch(later + timedelta(minutes=1)) == ""
    shipments_watch_task.call_local()  # the worker's minute tick
    assert [payload["state"] for payload in alerts()] == ["start", "end"]
    assert not OutboxAlarm.objects.filter(topic="shipments_waiting", ended_at=None).exists()
    outbox_sweep()
    assert [m.subject for m in mail.outbox if m.subject.startswith("[shipping]")][-1] == (
        "[shipping] no shipment waiting for its carrier any more")
