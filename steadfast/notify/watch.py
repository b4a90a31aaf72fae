"""Watch the outbox itself: dead letters, or a backlog that keeps growing, raise one staff alert each.

An OutboxAlarm row is open while the condition lasts: one alert when it starts, one when it clears, however many
messages die or wait meanwhile. Run every minute by tasks.outbox_watch_task. Other watches (shipping/watch.py) keep
their alarms in the same table through alarm_raise() and alarm_clear().
"""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from steadfast.notify.alerts import staff_alert_add
from steadfast.notify.models import OutboxAlarm, OutboxMessage

DEAD, BACKLOG = "dead_letters", "backlog"


def outbox_health(now=None) -> dict:
    now = now or timezone.now()
    waiting_since = now - timedelta(minutes=settings.OUTBOX_BACKLOG_MINUTES)
    pending = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING)
    return {
        DEAD: OutboxMessage.objects.filter(status=OutboxMessage.Status.DEAD).count(),
        BACKLOG: pending.filter(created_at__lte=waiting_since).count(),
    }


def outbox_watch(now=None) -> list[str]:
    """Open or close the alarms; returns the topics whose alert was written this time ("dead_letters:start")."""
    counts = outbox_health(now)
    active = {DEAD: counts[DEAD] > 0, BACKLOG: counts[BACKLOG] >= settings.OUTBOX_BACKLOG_ALERT}
    cleared = {DEAD: counts[DEAD] == 0, BACKLOG: counts[BACKLOG] < max(1, settings.OUTBOX_BACKLOG_ALERT // 2)}
    written = []
    for topic in (DEAD, BACKLOG):
        alarm = OutboxAlarm.objects.filter(topic=topic, ended_at__isnull=True).first()
        if alarm is None and active[topic]:
            written += _raise(topic, counts)
        elif alarm is not None and cleared[topic]:
            written += _clear(alarm, counts)
    return written


def alarm_raise(topic: str, kind: str, payload: dict) -> bool:
    """Open the alarm `topic` and write its one staff alert (template `kind`, payload + state "start") together;
    False when it is open already (another worker opened it a moment ago)."""
    try:
        with transaction.atomic():
            alarm = OutboxAlarm.objects.create(topic=topic, details=payload)
            staff_alert_add(key=f"{kind}:{topic}:{alarm.pk}:start", kind=kind,
                            payload={"topic": topic, "state": "start", **payload})
    except IntegrityError:  # the one open alarm per topic (a unique constraint)
        return False
    return True


def alarm_clear(alarm: OutboxAlarm, kind: str, payload: dict) -> bool:
    """Close `alarm` and write its all-clear; False when another worker closed it first (it sent the all-clear)."""
    with transaction.atomic():
        if not OutboxAlarm.objects.filter(pk=alarm.pk, ended_at__isnull=True).update(ended_at=timezone.now()):
            return False
        staff_alert_add(key=f"{kind}:{alarm.topic}:{alarm.pk}:end", kind=kind,
                        payload={"topic": alarm.topic, "state": "end", **payload})
    return True


def _raise(topic, counts):
    done = alarm_raise(topic, "staff_outbox", {**counts, "admin_url": _admin_url(topic)})
    return [f"{topic}:start"] if done else []


def _clear(alarm, counts):
    done = alarm_clear(alarm, "staff_outbox", {**counts, "admin_url": _admin_url(alarm.topic)})
    return [f"{alarm.topic}:end"] if done else []


def _admin_url(topic):
    status = "dead" if topic == DEAD else "pending"
    return settings.SITE_URL.rstrip("/") + f"/admin/notify/outboxmessage/?status__exact={status}"
