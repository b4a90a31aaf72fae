"""Reconciliation: settle what the customer's request could not.

Runs every minute (tasks.payments_reconcile_task, one worker at a time). For each online attempt that is
"confirming" (Indeterminate) or still open at the provider, it asks the provider with the same idempotency key
(routing.recheck_due backs off for abandoned ones), and it retries refunds of charges an order did not need.
It also closes the hosted pages marked to close (Payment.expire_due: start answer lost, other method chosen,
order cancelled), within the same budget. A provider that cannot answer is asked again on the next run; nothing
here raises.
"""

import logging
import time

from django.conf import settings
from django.utils import timezone

from steadfast.payments import routing
from steadfast.payments.followup import payments_sessions_close
from steadfast.payments.models import Payment
from steadfast.payments.services import payment_confirm, payment_refund
from steadfast.payments.unresolved import payments_give_up
from steadfast.providers.errors import ProviderError, Rejected

log = logging.getLogger(__name__)


def payments_reconcile(now=None, clock=time.monotonic) -> dict:
    """One run. Bounded: no new query starts after settings.PAYMENT_RECONCILE_BUDGET seconds (the oldest-touched
    payments go first, so what is left over comes first next run); `deferred` counts them."""
    now = now or timezone.now()
    stop_at = clock() + settings.PAYMENT_RECONCILE_BUDGET
    counts = {"checked": 0, "resolved": 0, "refunded": 0, "failed": 0, "given_up": 0, "deferred": 0, "closed": 0}
    handoffs = []  # given up together after the loop: one transaction, one staff alert for the run
    candidates = Payment.objects.filter(state__in=(Payment.State.PENDING, Payment.State.UNKNOWN)).select_related(
        "provider", "order").order_by("updated_at")
    for payment in candidates:
        if payment.expire_due or routing.is_offline(payment.provider) or not routing.recheck_due(payment, now):
            continue
        if clock() >= stop_at:
            counts["deferred"] += 1
            continue
        if routing.unknown_given_up(payment, now):
            handoffs.append((payment, f"still unknown after {routing.UNKNOWN_GIVE_UP}: {payment.error}",
                             Payment.Failure.UNAVAILABLE))
            continue
        counts["checked"] += 1
        before = payment.state
        try:
            payment = payment_confirm(payment)
        except Rejected as error:
            # The provider refuses the question itself (a replay under the same key with other parameters):
            # asking again can never settle it.
            if payment.state == Payment.State.UNKNOWN:
                handoffs.append((payment, str(error), Payment.Failure.REJECTED))
            else:
                counts["failed"] += 1
            continue
        except ProviderError as error:
            counts["failed"] += 1
            log.info("payment %s: status query failed (%s); asking again later", payment.key, error)
            continue
        counts["resolved"] += payment.state != before
    counts["given_up"] += len(payments_give_up(handoffs))
    for payment in Payment.objects.filter(refund_due=True).select_related("provider", "order"):
        if clock() >= stop_at:
            counts["deferred"] += 1
            continue
        try:
            payment_refund(payment)
        except ProviderError as error:
            counts["failed"] += 1
            log.warning("payment %s: refund of an extra charge failed (%s); retrying later", payment.key, error)
            continue
        counts["refunded"] += 1
    closing = payments_sessions_close(now, stop_at=stop_at, clock=clock)
    counts["closed"] = closing["closed"]
    for name in ("failed", "given_up", "deferred"):
        counts[name] += closing[name]
    return counts
