"""Write outbox rows inside the caller's transaction; lease, finish and retry them from the worker.

Every state change a worker makes names the lease token it got from outbox_claim(): a worker that stalled past its
lease (and whose message another worker took over) changes nothing and is told so (False / LeaseLost).
"""

import logging
import random
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from steadfast.notify.models import OutboxMessage

log = logging.getLogger(__name__)
Status = OutboxMessage.Status
_jitter = random.Random()


class OutboxOutsideTransaction(RuntimeError):
    """outbox_add() was called in autocommit: the message would not commit (or roll back) with its cause."""


class LeaseLost(RuntimeError):
    """This worker's lease on a message expired and another worker may hold it now: stop touching it."""


def outbox_add(*, key, kind, recipient, payload=None, channel="email", order=None, addresses=None) -> OutboxMessage:
    """Write one message inside the transaction that makes the change; the row commits (or not) with it.

    `key` dedupes: a second call with the same key returns the first row and sends nothing more. `addresses` says
    where the person can be reached per channel type ({"email": ..., "sms": ..., "telegram": ...}); by default the
    recipient's e-mail address and, for an order, the order's phone number.
    """
    if not in_callers_transaction():
        raise OutboxOutsideTransaction(
            f"outbox_add(key={key!r}) outside a transaction: write the message inside the transaction.atomic() "
            "block that makes the change it is about, so both commit or neither does."
        )
    if addresses is None:
        addresses = {"email": recipient}
        if order is not None and order.phone:
            addresses["sms"] = order.phone
    message, created = OutboxMessage.objects.get_or_create(
        key=key,
        defaults={"kind": kind, "recipient": recipient, "payload": payload or {}, "channel": channel, "order": order,
                  "addresses": {name: value for name, value in addresses.items() if value}},
    )
    if created:
        transaction.on_commit(lambda: _enqueue(message.pk))
    return message


def in_callers_transaction() -> bool:
    """True inside a transaction.atomic() block of the caller's; the block Django's TestCase (and pytest-django's
    `db` fixture) wraps each test in does not count, so tests see what production sees."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return False
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def _enqueue(message_id):
    # Fast path only: if the queue is unreachable the periodic sweep still finds the row.
    from steadfast.notify.tasks import outbox_deliver_task

    try:
        outbox_deliver_task(message_id)
    except OSError as error:
        log.warning("outbox: could not enqueue message %s (%s); the sweep will pick it up", message_id, error)


def _lease_until(now):
    return now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)


def outbox_claim(message_id) -> OutboxMessage | None:
    """Take a lease on one due message; None when another worker holds it or it is not due."""
    now = timezone.now()
    token = uuid.uuid4().hex
    leased = OutboxMessage.objects.filter(
        Q(lease_until__isnull=True) | Q(lease_until__lte=now),
        pk=message_id, status=Status.PENDING, next_attempt_at__lte=now,
    ).update(lease_until=_lease_until(now), lease_token=token)
    if not leased:
        return None
    message = OutboxMessage.objects.get(pk=message_id)
    if message.lease_token != token:  # cannot happen with one UPDATE per claim; kept as the invariant it is
        return None
    return message


def _mine(message):
    return OutboxMessage.objects.filter(pk=message.pk, lease_token=message.lease_token, status=Status.PENDING)


def outbox_lease_renew(message) -> None:
    """Before each outside call: extend the lease, or raise LeaseLost if another worker took the message over."""
    if not message.lease_token or not _mine(message).update(lease_until=_lease_until(timezone.now())):
        raise LeaseLost(f"outbox message {message.pk}: lease lost")


def outbox_due_ids(limit=100):
    now = timezone.now()
    due = OutboxMessage.objects.filter(status=Status.PENDING, next_attempt_at__lte=now).exclude(lease_until__gt=now)
    return list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])


def outbox_mark_sent(message: OutboxMessage, channel: str = "") -> bool:
    """False (and nothing written) when this worker no longer holds the lease."""
    done = _mine(message).update(
        status=Status.SENT, sent_at=timezone.now(), lease_until=None, lease_token="", last_error="",
        channel=channel or message.channel, attempts=message.attempts + 1,
    )
    if not done:
        log.warning("outbox: message %s was delivered but the lease had passed to another worker", message.pk)
    return bool(done)


def retry_delay(attempts: int) -> float:
    """Seconds before the next run: exponential from OUTBOX_RETRY_SECONDS, capped at OUTBOX_RETRY_MAX_SECONDS,
    with "equal jitter" (half fixed, half random) so messages that failed together do not retry together."""
    delay = min(settings.OUTBOX_RETRY_SECONDS * 2 ** (attempts - 1), settings.OUTBOX_RETRY_MAX_SECONDS)
    return delay / 2 + _jitter.uniform(0, delay / 2)


def outbox_mark_failed(message: OutboxMessage, error: str, *, permanent=False, step=0, step_tries=0) -> bool:
    """Record a delivery run that did not deliver: error, attempt count, next try with backoff, or the dead letter
    (permanent error, OUTBOX_MAX_ATTEMPTS runs, or older than OUTBOX_MAX_AGE_HOURS). `step`/`step_tries`: where in
    the fallback chain the next run starts. False (nothing written) when this worker no longer holds the lease."""
    now = timezone.now()
    attempts = message.attempts + 1
    too_old = now - message.created_at > timedelta(hours=settings.OUTBOX_MAX_AGE_HOURS)
    dead = permanent or attempts >= settings.OUTBOX_MAX_ATTEMPTS or too_old
    if dead and not permanent:
        error = f"{error} (gave up after {attempts} attempts{', too old' if too_old else ''})"
    done = _mine(message).update(
        status=Status.DEAD if dead else Status.PENDING, attempts=attempts, last_error=error[:2000],
        lease_until=None, lease_token="", step=step, step_tries=step_tries, refused=message.refused,
        next_attempt_at=now + timedelta(seconds=retry_delay(attempts)),
    )
    if done:
        log.warning("outbox: message %s failed (attempt %s%s): %s", message.pk, attempts,
                    ", dead-lettered" if dead else "", error)
    return bool(done)


def outbox_replay(message_ids) -> int:
    """Staff action: put dead-lettered (or cancelled) messages back in the queue, from the start of their chain."""
    replayed = OutboxMessage.objects.filter(pk__in=message_ids, status__in=(Status.DEAD, Status.CANCELLED)).update(
        status=Status.PENDING, attempts=0, step=0, step_tries=0, refused=[], next_attempt_at=timezone.now(),
        lease_until=None, lease_token="",
    )
    return replayed  # the every-minute sweep picks them up


def outbox_cancel(message_ids) -> int:
    """Staff action: stop pending or dead-lettered messages. One a worker is sending right now is left alone."""
    now = timezone.now()
    return OutboxMessage.objects.filter(
        Q(lease_until__isnull=True) | Q(lease_until__lte=now),
        pk__in=message_ids, status__in=(Status.PENDING, Status.DEAD),
    ).update(status=Status.CANCELLED, lease_until=None, lease_token="")
