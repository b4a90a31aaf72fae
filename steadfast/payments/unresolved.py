"""Payments the provider cannot confirm: given up after routing.UNKNOWN_GIVE_UP, or at once when a replay of the
start is refused as an idempotency conflict (asking again with that key can never succeed). The same for a hosted
page to be closed (Payment.expire_due) whose replay or status query the provider refuses as a wrong request. The
attempt ends as failed, the order's timeline says why, staff get one alert to check the payment in the provider's
dashboard; the customer may pay another way. Should the provider still report a success later (a webhook), it is
recorded as any success is, and refunded if the order was paid another way meanwhile (routing.late_success).
"""

import logging

from django.db import transaction
from django.utils.translation import gettext as _

from steadfast.orders.services import SYSTEM, order_event_add
from steadfast.payments.models import Payment
from steadfast.providers.rejections import staff_problem_alert

log = logging.getLogger(__name__)


def payment_give_up(payment, reason: str, failure=Payment.Failure.UNAVAILABLE) -> Payment:
    """An unknown payment becomes failed, for staff to check. Does nothing to a payment no longer unknown."""
    with transaction.atomic():
        locked = Payment.objects.select_for_update().select_related("order", "provider").get(pk=payment.pk)
        if locked.state != Payment.State.UNKNOWN:
            return locked
        locked.state, locked.failure = Payment.State.FAILED, failure
        locked.error = f"not confirmed, handed to staff: {reason}"[:255]
        locked.save(update_fields=["state", "failure", "error", "updated_at"])
        order_event_add(locked.order, "payment_unresolved", SYSTEM, _(
            "The payment through %(provider)s could not be confirmed with the provider; staff check it in the "
            "provider's dashboard.") % {"provider": locked.provider.name})
        staff_problem_alert(f"unresolved:{locked.key}", locked.provider,
                            f"payment for order {locked.order.number} could not be confirmed", reason,
                            locked.order.number)
    log.warning("payment %s (order %s) given up: %s", locked.key, locked.order.number, reason)
    return locked


def payment_close_give_up(payment, reason: str) -> Payment:
    """A session to close that the provider refuses to replay or report (a wrong request, never an outage): stop
    trying; the order's timeline and one staff alert say to check it in the provider's dashboard. The customer never
    received its page (or chose another method), so nothing waits on it."""
    with transaction.atomic():
        locked = Payment.objects.select_for_update().select_related("order", "provider").get(pk=payment.pk)
        if not locked.expire_due:
            return locked
        locked.expire_due = False
        locked.error = f"not closed, handed to staff: {reason}"[:255]
        locked.save(update_fields=["expire_due", "error", "updated_at"])
        order_event_add(locked.order, "payment_unresolved", SYSTEM, _(
            "The payment through %(provider)s could not be confirmed with the provider; staff check it in the "
            "provider's dashboard.") % {"provider": locked.provider.name})
        staff_problem_alert(f"unresolved:{locked.key}", locked.provider,
                            f"payment page for order {locked.order.number} could not be closed", reason,
                            locked.order.number)
    log.warning("payment %s (order %s): session not closed, handed to staff: %s", locked.key, locked.order.number,
                reason)
    return locked
