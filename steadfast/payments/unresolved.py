"""Payments the provider cannot confirm: given up after routing.UNKNOWN_GIVE_UP, or at once when a replay of the
start is refused as an idempotency conflict (asking again with that key can never succeed). The same for a hosted
page to be closed (Payment.expire_due) whose replay or status query the provider refuses as a wrong request. The
attempt ends as failed, the order's timeline says why, staff get one alert to check the payment in the provider's
dashboard; the customer may pay another way. Should the provider still report a success later (a webhook), it is
recorded as any success is, and refunded if the order was paid another way meanwhile (routing.late_success).

A run of the reconciliation job hands off all it gives up in one transaction with one alert naming every order:
during a gateway outage dozens give up together, and staff want one message, not dozens (issue 11).
"""

import hashlib
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from steadfast.orders.services import SYSTEM, order_event_add
from steadfast.payments.models import Payment

log = logging.getLogger(__name__)


def payments_give_up(handoffs) -> list[Payment]:
    """Every (payment, reason, failure) still unknown becomes failed, in one transaction with one staff alert."""
    with transaction.atomic():
        given = []
        for payment, reason, failure in handoffs:
            locked = _locked(payment)
            if locked.state != Payment.State.UNKNOWN:
                continue
            locked.state, locked.failure = Payment.State.FAILED, failure
            locked.error = f"not confirmed, handed to staff: {reason}"[:255]
            locked.save(update_fields=["state", "failure", "error", "updated_at"])
            given.append((_timeline(locked), reason))
        _alert(given, "could not be confirmed")
    for locked, reason in given:
        log.warning("payment %s (order %s) given up: %s", locked.key, locked.order.number, reason)
    return [locked for locked, _reason in given]


def payments_close_give_up(handoffs) -> list[Payment]:
    """A session to close that the provider refuses to replay or report (a wrong request, never an outage): stop
    trying; the order's timeline and one staff alert say to check it in the provider's dashboard. The customer never
    received its page (or chose another method), so nothing waits on it. For every (payment, reason), in one
    transaction with one staff alert."""
    with transaction.atomic():
        given = []
        for payment, reason in handoffs:
            locked = _locked(payment)
            if not locked.expire_due:
                continue
            locked.expire_due = False
            locked.error = f"not closed, handed to staff: {reason}"[:255]
            locked.save(update_fields=["expire_due", "error", "updated_at"])
            given.append((_timeline(locked), reason))
        _alert(given, "could not be closed")
    for locked, reason in given:
        log.warning("payment %s (order %s): session not closed, handed to staff: %s", locked.key,
                    locked.order.number, reason)
    return [locked for locked, _reason in given]


def _locked(payment) -> Payment:
    return Payment.objects.select_for_update().select_related("order", "provider").get(pk=payment.pk)


def _timeline(locked) -> Payment:
    order_event_add(locked.order, "payment_unresolved", SYSTEM, _(
        "The payment through %(provider)s could not be confirmed with the provider; staff check it in the "
        "provider's dashboard.") % {"provider": locked.provider.name})
    return locked


def _alert(given, what: str) -> None:
    """One staff_problem alert for all the payments handed off together. Keyed by the set of payments: a repeat of
    the same hand-off is one alert, and a payment once handed off is never handed off again (it is no longer
    unknown / to close), so a later run alerts only about new ones. One payment keeps its old key and title."""
    from steadfast.notify.alerts import staff_alert_add

    if not given:
        return
    payments = sorted((locked for locked, _reason in given), key=lambda p: p.order.number)
    numbers = [p.order.number for p in payments]
    if len(payments) == 1:
        title = f"payment for order {numbers[0]} {what}"
    else:
        title = f"{len(payments)} payments {what}: orders {', '.join(numbers)}"
    providers = sorted({p.provider for p in payments}, key=lambda p: p.code)
    detail = "; ".join(f"{locked.order.number}: {reason}" for locked, reason in given)
    payload = {"provider": ", ".join(p.name for p in providers), "code": ", ".join(p.code for p in providers),
               "title": title, "detail": detail[:500], "reference": ", ".join(numbers), "count": len(payments),
               "at": timezone.now().isoformat(),
               "admin_url": settings.SITE_URL.rstrip("/") + "/admin/providers/providerhealth/"}
    digest = hashlib.sha256(("unresolved:" + ",".join(sorted(str(p.key) for p in payments))).encode()).hexdigest()[:24]
    staff_alert_add(key=f"staff_problem:{digest}", kind="staff_problem", payload=payload)
