"""Replay one target's backlog in sequence order, at a bounded rate, stopping at the first failure.

One worker holds a target at a time (a lease on its SyncTarget row, like the outbox's per message): order is kept
even with several workers. A failure stops the target (the rows behind it wait, in order) with backoff; an open
breaker makes it wait for the breaker's cool-down. A changed-on-their-side order is a conflict for staff: its row is
set aside and the rest goes on.
"""

import logging
import random
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from steadfast.accounting.models import Conflict, RemoteOrder, SyncRow, SyncTarget
from steadfast.accounting.targets.base import Known
from steadfast.providers.call import call
from steadfast.providers.errors import BreakerOpen, ProviderError
from steadfast.providers.registry import adapter_for

log = logging.getLogger(__name__)
Pending = SyncRow.State.PENDING
_jitter = random.Random()


class LeaseLost(RuntimeError):
    """Another worker took this target over: stop touching it."""


@dataclass
class Replayed:
    synced: int = 0
    conflicts: int = 0
    stopped: str = ""  # why it stopped before the end of the backlog ("" when it did not)


class Pacer:
    """At most `rate` calls per second: waits before a call that would come too soon."""

    def __init__(self, rate, sleep=time.sleep, clock=time.monotonic):
        self.interval, self.sleep, self.clock, self.next_at = 1.0 / rate, sleep, clock, None

    def wait(self):
        now = self.clock()
        if self.next_at is not None and now < self.next_at:
            self.sleep(self.next_at - now)
            now = self.next_at
        self.next_at = now + self.interval


def retry_delay(failures: int) -> float:
    """Exponential from ACCOUNTING_RETRY_SECONDS, capped, half of it random so targets do not retry in step."""
    delay = min(settings.ACCOUNTING_RETRY_SECONDS * 2 ** (failures - 1), settings.ACCOUNTING_RETRY_MAX_SECONDS)
    return delay / 2 + _jitter.uniform(0, delay / 2)


def target_claim(target_id, now) -> SyncTarget | None:
    token = uuid.uuid4().hex
    claimed = SyncTarget.objects.filter(
        Q(lease_until__isnull=True) | Q(lease_until__lte=now),
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now), pk=target_id,
    ).update(lease_until=now + timedelta(seconds=settings.ACCOUNTING_LEASE_SECONDS), lease_token=token)
    if not claimed:
        return None
    return SyncTarget.objects.select_related("provider").get(pk=target_id, lease_token=token)


def _mine(target):
    return SyncTarget.objects.filter(pk=target.pk, lease_token=target.lease_token)


def _renew(target):
    now = timezone.now()
    if not _mine(target).update(lease_until=now + timedelta(seconds=settings.ACCOUNTING_LEASE_SECONDS)):
        raise LeaseLost(f"accounting target {target.pk}: lease lost")


def target_replay(target_id, *, limit=None, now=None, sleep=time.sleep, clock=time.monotonic) -> Replayed:
    """Replay up to `limit` (ACCOUNTING_REPLAY_BATCH) pending rows of one target; nothing if another worker has it
    or its backoff has not run out by `now`. `sleep`/`clock` pace the calls (a test passes a clock it moves)."""
    now = now or timezone.now()
    result = Replayed()
    target = target_claim(target_id, now)
    if target is None:
        result.stopped = "busy or waiting"
        return result
    try:
        adapter = adapter_for(target.provider)
        if adapter.pull:
            result.stopped = "pulled by the target"
            return result
        rows = SyncRow.objects.filter(target=target, state=Pending).order_by("seq")
        pacer = Pacer(settings.ACCOUNTING_REPLAY_RATE, sleep, clock)
        renewed = time.monotonic()
        for row in rows[: limit or settings.ACCOUNTING_REPLAY_BATCH]:
            if time.monotonic() - renewed > settings.ACCOUNTING_LEASE_SECONDS / 4:
                _renew(target)
                renewed = time.monotonic()
            pacer.wait()
            if not _replay_one(target, adapter, row, now, result):
                break
    except LeaseLost as error:
        result.stopped = str(error)
        return result
    finally:
        done = {"last_synced_at": timezone.now()} if result.synced else {}
        _mine(target).update(lease_until=None, lease_token="", **done)
    return result


def _replay_one(target, adapter, row, now, result) -> bool:
    remote = RemoteOrder.objects.filter(target=target, order_number=row.order_number).first()
    known = Known(remote.remote_id, remote.version) if remote else None
    push = partial(adapter.push, payload=row.payload, kind=row.kind, event_id=str(row.event_id), seq=row.seq,
                   known=known)
    try:
        pushed = call(target.provider, "sync", push, reference=row.order_number)
    except BreakerOpen as error:
        _stop(target, row, str(error), now, counts=False)
        result.stopped = str(error)
        return False
    except ProviderError as error:
        _stop(target, row, f"{type(error).__name__}: {error}", now, counts=True)
        result.stopped = str(error)
        return False
    with transaction.atomic():
        if pushed.theirs is not None:
            Conflict.objects.create(target=target, subject=Conflict.Subject.ORDER, reference=row.order_number,
                                    ours=row.payload, theirs=pushed.theirs)
            SyncRow.objects.filter(pk=row.pk).update(state=SyncRow.State.CONFLICT, attempts=row.attempts + 1,
                                                     last_error="changed in the accounting system too")
            result.conflicts += 1
        else:
            known = {"remote_id": pushed.remote_id, "version": pushed.version}
            if not RemoteOrder.objects.filter(target=target, order_number=row.order_number).update(**known):
                RemoteOrder.objects.create(target=target, order_number=row.order_number, **known)
            SyncRow.objects.filter(pk=row.pk).update(state=SyncRow.State.DONE, done_at=timezone.now(),
                                                     attempts=row.attempts + 1, last_error="")
            result.synced += 1
        if target.failures or target.last_error:  # the first success after failures: the target works again
            _mine(target).update(failures=0, last_error="", next_attempt_at=None)
            target.failures, target.last_error = 0, ""
    return True


def _stop(target, row, error, now, counts):
    """The row stays first in line; the target waits (backoff, or the breaker's cool-down) before trying again."""
    failures = target.failures + 1
    _mine(target).update(failures=failures, last_error=error[:2000],
                         next_attempt_at=now + timedelta(seconds=retry_delay(failures)))
    if counts:
        SyncRow.objects.filter(pk=row.pk).update(attempts=row.attempts + 1, last_error=error[:2000])
    log.warning("accounting: %s stopped at #%s (%s): %s", target.provider.code, row.seq, row.order_number, error)


def targets_due(now=None) -> list[int]:
    now = now or timezone.now()
    waiting = SyncTarget.objects.filter(rows__state=Pending, provider__enabled=True).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)).exclude(lease_until__gt=now)
    return sorted(set(waiting.values_list("pk", flat=True)))


def accounting_sweep(now=None, sleep=time.sleep, clock=time.monotonic) -> dict:
    """Replay every due target's backlog (one batch each); {target id: Replayed}."""
    done = {}
    for target_id in targets_due(now):
        result = target_replay(target_id, now=now, sleep=sleep, clock=clock)
        done[target_id] = result
    return done
