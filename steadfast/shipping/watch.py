"""Shipments waiting for the carrier: when one has waited longer than SHIPPING_BACKLOG_MINUTES to be registered
(the carrier is down, refuses, or the worker is not running), staff get one alert; when none waits that long any
more, one all-clear. The alarm is an OutboxAlarm row (topic "shipments_waiting", /admin/notify/outboxalarm/), so a
carrier outage of a day makes two messages, not one a minute. Run every minute by tasks.shipments_watch_task.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Min
from django.utils import timezone

from steadfast.notify.models import OutboxAlarm
from steadfast.notify.watch import alarm_clear, alarm_raise
from steadfast.shipping.models import Shipment

TOPIC = "shipments_waiting"
KIND = "staff_shipments"  # templates: shipping/templates/notify/staff_shipments*.txt
WAITING = (Shipment.State.WAITING, Shipment.State.PENDING)  # not yet registered at the carrier


def shipments_waiting(now=None) -> dict:
    """How many shipments have waited longer than the setting, and since when the oldest waits."""
    now = now or timezone.now()
    late = Shipment.objects.filter(state__in=WAITING, created_at__lte=now - timedelta(
        minutes=settings.SHIPPING_BACKLOG_MINUTES))
    found = late.aggregate(oldest=Min("created_at"))
    return {"waiting": late.count(), "oldest": found["oldest"].isoformat() if found["oldest"] else "",
            "minutes": settings.SHIPPING_BACKLOG_MINUTES,
            "admin_url": settings.SITE_URL.rstrip("/") + "/admin/shipping/shipment/?state__in=waiting,pending"}


def shipments_watch(now=None) -> str:
    """"start" or "end" when this run wrote an alert, else ""."""
    found = shipments_waiting(now)
    alarm = OutboxAlarm.objects.filter(topic=TOPIC, ended_at__isnull=True).first()
    if alarm is None and found["waiting"]:
        return "start" if alarm_raise(TOPIC, KIND, found) else ""
    if alarm is not None and not found["waiting"]:
        return "end" if alarm_clear(alarm, KIND, found) else ""
    return ""
