"""Reconciliation: settle what the customer's request could not.

Runs every minute (tasks.payments_reconcile_task, one worker at a time). For each online attempt that is
"confirming" (Indeterminate) or still open at the provider, it asks the provider with the same idempotency key
(routing.recheck_due backs off for abandoned ones), and it retries refunds of charges an order did not need.
It also closes the hosted pages marked to close (Payment.expire_due: start answer lost, other method chosen,
order cancelled). A provider that cannot answer is asked again on the next run; nothing here raises.
"""

import logging

from django.utils import timezone

from steadfast.payments import routing
from steadfast.payments.followup import payments_sessions_close
from steadfast.payments.models import Payment
from steadfast.payments.services import payment_confirm, payment_refund
from steadfast.providers.errors import ProviderError

log = logging.getLogger(__name__)


def payments_reconcile(now=None) -> dict:
    now = now or timezone.now()
    counts = {"checked": 0, "resolved": 0, "refunded": 0, "failed": 0, "closed": 0}
    candidates = Payment.objects.filter(state__in=(Payment.State.PENDING, Payment.State.UNKNOWN)).select_related(
        "provider", "order").order_by("updated_at")
    for payment in candidates:
        if payment.expire_due or routing.is_offline(payment.provider) or not routing.recheck_due(payment, now):
            continue
        counts["checked"] += 1
        before = payment.state
        try:
            payment = payment_confirm(payment)
        except ProviderError as error:
            counts["failed"] += 1
            log.info("payment %s: status query failed (%s); asking again later", payment.key, error)
            continue
        counts["resolved"] += payment.state != before
    for payment in Payment.objects.filter(refund_due=True).select_related("provider", "order"):
        try:
            payment_refund(payment)
        except ProviderError as error:
            counts["failed"] += 1
            log.warning("payment %s: refund of an extra charge failed (%s); retrying later", payment.key, error)
            continue
        counts["refunded"] += 1
    closing = payments_sessions_close(now)
    counts["closed"], counts["failed"] = closing["closed"], counts["failed"] + closing["failed"]
    return counts
