"""After a payment starts: the customer's return, quick re-checks while "confirming", and closing hosted pages the
customer will not use.

- payment_returned: the return handler's work. The customer came back from the provider's page, so they may have
  paid: the attempt is "confirming" (no other charge offered) until the provider answers.
- payment_recheck_soon: while an attempt is confirming, ask again within seconds (routing.CONFIRM_RECHECKS) on
  the worker, not at the next reconciliation minute; reconciliation stays the backstop.
- payment_session_close: a session the customer will not use (a start whose answer was lost, another method
  chosen, the order cancelled; Payment.expire_due) is read and closed by its key, in the background. A session that
  was paid after all is recorded like any late success (kept, or refunded when the order no longer needs it).
Every outside call goes through providers.call and never inside a transaction.
"""

import logging
import time
from functools import partial

from django.db import transaction
from django.utils import timezone
from huey.contrib.djhuey import HUEY
from huey.exceptions import TaskLockedException

from steadfast.payments import routing
from steadfast.payments.interface import PaymentState, PaymentStatus
from steadfast.payments.models import Payment
from steadfast.payments.services import (
    _payment_update,
    _start_request,
    payment_apply_status,
    payment_confirm,
)
from steadfast.payments.unresolved import payments_close_give_up
from steadfast.providers.call import call
from steadfast.providers.errors import ProviderError, Rejected
from steadfast.providers.registry import adapter_for

log = logging.getLogger(__name__)


def payment_returned(payment) -> Payment:
    """The customer came back from the provider's page (not cancelled). Raises ProviderError when the provider
    cannot answer now; the attempt stays confirming and is asked again within seconds."""
    Payment.objects.filter(pk=payment.pk, state=Payment.State.PENDING, expire_due=False).update(
        state=Payment.State.UNKNOWN, updated_at=timezone.now())
    payment.refresh_from_db()
    try:
        return payment_confirm(payment)
    except ProviderError:
        payment_recheck_soon(payment)
        raise


def payment_abandon(payment) -> Payment:
    """The customer came back without paying: close the provider's page so it cannot be paid later."""
    payment = payment_confirm(payment)
    if payment.state != Payment.State.PENDING or not payment.reference:
        return payment
    gateway = adapter_for(payment.provider)
    if callable(getattr(gateway, "cancel", None)):
        status = call(payment.provider, "cancel", partial(gateway.cancel, payment.reference),
                      reference=payment.order.number)
        payment = payment_apply_status(payment, status)
    return payment


def payment_recheck(payment_id, attempt: int = 0):
    """One quick re-check of a confirming attempt; schedules the next while it stays confirming."""
    payment = Payment.objects.filter(pk=payment_id).select_related("provider", "order").first()
    if payment is None or payment.state != Payment.State.UNKNOWN:
        return
    try:
        payment = payment_confirm(payment)
    except ProviderError as error:
        log.info("payment %s: still confirming (%s)", payment.key, error)
    if payment.state == Payment.State.UNKNOWN:
        payment_recheck_soon(payment, attempt + 1)


def payment_recheck_soon(payment, attempt: int = 0):
    """Queue re-check number `attempt` after its delay (once the current transaction commits)."""
    from steadfast.payments.tasks import payment_recheck_task

    if attempt >= len(routing.CONFIRM_RECHECKS):
        return  # the reconciliation job (every minute) carries on
    delay = routing.CONFIRM_RECHECKS[attempt].total_seconds()
    transaction.on_commit(partial(_enqueue, payment_recheck_task, payment.pk, attempt, delay=delay))


def payment_sessions_close_soon():
    from steadfast.payments.tasks import payment_sessions_close_task

    transaction.on_commit(partial(_enqueue, payment_sessions_close_task))


def _enqueue(task, *args, delay=0):
    # Fast path only: the reconciliation job finds the same rows if the queue cannot be reached now.
    try:
        if delay:
            task.schedule(args, delay=delay)
        else:
            task(*args)
    except OSError as error:
        log.warning("payments: could not queue %s (%s); reconciliation picks it up", task.name, error)


def payments_sessions_close(now=None, stop_at=None, clock=time.monotonic) -> dict:
    """Close every session marked expire_due; one that cannot be closed now is tried again on the next run, one the
    provider refuses as a wrong request is handed to staff (asking again cannot settle it). One worker at a time
    (the reconciliation job and the fast-path task share the lock): two closers of one session would have the
    second refused by the gateway. `stop_at` (on `clock`): no new close starts after it (the reconciliation run's
    budget); the rest waits for the next run."""
    try:
        with HUEY.lock_task("payments-sessions-close"):
            return _sessions_close(now or timezone.now(), stop_at, clock)
    except TaskLockedException:
        return {"closed": 0, "failed": 0, "given_up": 0, "deferred": 0}  # another worker is closing them now


def _sessions_close(now, stop_at, clock) -> dict:
    counts = {"closed": 0, "failed": 0, "given_up": 0, "deferred": 0}
    handoffs = []  # handed to staff together after the loop: one staff alert for the run
    for payment in Payment.objects.filter(expire_due=True).select_related("provider", "order").order_by("pk"):
        if stop_at is not None and clock() >= stop_at:
            counts["deferred"] += 1
            continue
        try:
            payment_session_close(payment, now)
        except Rejected as error:
            handoffs.append((payment, str(error)))
            continue
        except ProviderError as error:
            counts["failed"] += 1
            log.info("payment %s: session not closed now (%s); trying again later", payment.key, error)
            continue
        counts["closed"] += 1
    counts["given_up"] = len(payments_close_give_up(handoffs))
    return counts


def payment_session_close(payment, now=None) -> Payment:
    """Read the session by its key and close it if still open. Raises ProviderError when the provider cannot."""
    now = now or timezone.now()
    gateway = adapter_for(payment.provider)
    if gateway.offline or now - payment.created_at > routing.RECHECK_GIVE_UP:
        # Nothing to close offline; and a provider session this old has expired on its own.
        Payment.objects.filter(pk=payment.pk).update(expire_due=False, updated_at=now)
        return payment
    if not payment.reference:
        # The start's answer was lost: replaying it with the same key returns the session it made (or makes one,
        # which is closed at once). The customer never received its address.
        result = call(payment.provider, "start", partial(gateway.start, _start_request(payment)),
                      reference=payment.order.number)
        _payment_update(payment, reference=result.reference)
    status = call(payment.provider, "status", partial(gateway.status, str(payment.key), payment.reference),
                  reference=payment.order.number)
    closable = callable(getattr(gateway, "cancel", None))
    if status.state in (PaymentState.PENDING, PaymentState.APPROVED) and closable:
        status = call(payment.provider, "cancel", partial(gateway.cancel, payment.reference),
                      reference=payment.order.number)
    if status.state == PaymentState.APPROVED:  # approved but not closable: we simply never capture it
        status = PaymentStatus(PaymentState.CANCELLED, reference=status.reference, amount=status.amount)
    payment_apply_status(payment, status)
    if status.state != PaymentState.PENDING or not closable:
        Payment.objects.filter(pk=payment.pk).update(expire_due=False, updated_at=timezone.now())
    payment.refresh_from_db()
    return payment
