"""Write outbox rows inside the caller's transaction; claim and deliver them from the worker."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from steadfast.notify.models import OutboxMessage

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8


def outbox_add(*, key, kind, recipient, payload=None, channel="email", order=None) -> OutboxMessage:
    """Must run inside the transaction that makes the change; the row commits (or not) with it."""
    message, _ = OutboxMessage.objects.get_or_create(
        key=key,
        defaults={"kind": kind, "recipient": recipient, "payload": payload or {}, "channel": channel, "order": order},
    )
    transaction.on_commit(lambda: _enqueue(message.pk))
    return message


def _enqueue(message_id):
    # Fast path only: if the queue is unreachable the periodic sweep still finds the row.
    from steadfast.notify.tasks import outbox_deliver_task

    try:
        outbox_deliver_task(message_id)
    except OSError as error:
        log.warning("outbox: could not enqueue message %s (%s); the sweep will pick it up", message_id, error)


def outbox_claim(message_id) -> OutboxMessage | None:
    """Take a lease on one due message; None when another worker holds it or it is not due."""
    now = timezone.now()
    claimable = OutboxMessage.objects.filter(
        pk=message_id, status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now
    )
    lease = timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    leased = claimable.exclude(lease_until__gt=now).update(lease_until=now + lease)
    return OutboxMessage.objects.get(pk=message_id) if leased else None


def outbox_due_ids(limit=100):
    now = timezone.now()
    due = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now).exclude(
        lease_until__gt=now
    )
    return list(due.order_by("next_attempt_at").values_list("pk", flat=True)[:limit])


def outbox_mark_sent(message: OutboxMessage) -> None:
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxMessage.Status.SENT,
        sent_at=timezone.now(),
        lease_until=None,
        attempts=message.attempts + 1,
        last_error="",
    )


def outbox_mark_failed(message: OutboxMessage, error: str) -> None:
    attempts = message.attempts + 1
    dead = attempts >= MAX_ATTEMPTS
    backoff = timedelta(seconds=min(30 * 2 ** (attempts - 1), 6 * 3600))
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxMessage.Status.DEAD if dead else OutboxMessage.Status.PENDING,
        attempts=attempts,
        last_error=error[:2000],
        lease_until=None,
        next_attempt_at=timezone.now() + backoff,
    )
    log.warning(
        "outbox: message %s failed (attempt %s%s): %s", message.pk, attempts, ", dead-lettered" if dead else "", error
    )


def outbox_replay(message_ids) -> int:
    """Staff action: put dead-lettered messages back in the queue."""
    return OutboxMessage.objects.filter(pk__in=message_ids, status=OutboxMessage.Status.DEAD).update(
        status=OutboxMessage.Status.PENDING, attempts=0, next_attempt_at=timezone.now(), lease_until=None
    )
