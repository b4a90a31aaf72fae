"""Payment attempts against an order: start, confirm, succeed, refund. Every outside call goes through
providers.call.call() and never inside a database transaction: rows are committed first, the call follows.

The idempotency key of an attempt is Payment.key; it is sent on the start, on every replay of the start and on
status queries, so asking twice never charges twice.
"""

from dataclasses import dataclass, replace
from datetime import timedelta
from functools import partial

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from steadfast.orders.models import Order, OrderStatus
from steadfast.orders.services import CUSTOMER, SYSTEM, order_event_add, order_mark_paid, order_transition
from steadfast.payments import routing
from steadfast.payments.interface import PaymentState, PaymentStatus, StartRequest
from steadfast.payments.models import Payment
from steadfast.payments.requests import payment_start_request
from steadfast.providers.call import call
from steadfast.providers.errors import Declined, IdempotencyConflict, Indeterminate, ProviderError, Rejected
from steadfast.providers.registry import adapter_for


class PaymentNotAllowed(ValueError):
    """No new payment for this order now (already paid, cancelled, or one still being confirmed)."""


@dataclass
class PaymentFailed(Exception):
    """The start failed; `decision` (routing.decide) says what the customer is told and offered."""

    decision: routing.Decision
    payment: Payment

    def __str__(self):
        return self.decision.message


def payment_start(order, provider, return_url: str = "", actor=CUSTOMER):
    """Start paying `order` through `provider`. Returns Redirect | Form | Done, or raises PaymentFailed /
    PaymentNotAllowed. `return_url` is the absolute address of the order page (online gateways send the
    customer back there)."""
    gateway = adapter_for(provider)
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        refusal = routing.start_refusal(locked)
        if refusal:
            raise PaymentNotAllowed(refusal)
        _sessions_close_other(locked, provider)
        if gateway.offline:
            return payment_start_offline(locked, provider, actor, return_url=return_url)
        payment = Payment.objects.create(order=locked, provider=provider, amount=locked.total,
                                         currency=locked.currency, return_url=return_url)
        if locked.payment_method != provider.code:
            locked.payment_method, locked.payment_name = provider.code, provider.name
            locked.save(update_fields=["payment_method", "payment_name", "updated_at"])
    return _start_online(payment, gateway)


def _start_request(payment) -> StartRequest:
    # Stored at the first build: a replay sends byte-identical parameters (payments.requests).
    return payment_start_request(payment)


def _start_online(payment, gateway):
    from steadfast.payments.followup import payment_recheck_soon, payment_sessions_close_soon

    request = _start_request(payment)
    deadline = routing.payment_step_deadline()  # the whole step, replays included, fits the budget
    lost = None
    for _attempt in range(1 + routing.QUICK_CHECKS):
        timeout = routing.start_timeout(payment.provider, deadline)
        if timeout is None:
            break
        try:
            result = call(payment.provider, "start", partial(gateway.start, request), reference=payment.order.number,
                          timeout=timeout)
        except Indeterminate as error:
            lost = error  # the provider may have acted: a replay with the same key returns what it made
            continue
        except ProviderError as error:
            if lost is not None:
                break  # an earlier answer was lost: a session may exist, so it is handled as a lost start
            decision = routing.decide(error)
            _payment_update(payment, state=decision.payment_state, failure=decision.failure, error=str(error)[:255])
            raise PaymentFailed(decision, payment) from error
        _payment_update(payment, state=Payment.State.PENDING, reference=getattr(result, "reference", ""),
                        redirect_url=getattr(result, "url", ""), error="")
        return result
    decision = routing.decide_start_lost(payment.provider)
    if decision.payment_state == Payment.State.UNKNOWN:  # a start that charges at once: confirming until asked
        _payment_update(payment, state=Payment.State.UNKNOWN, error=str(lost)[:255])
        payment_recheck_soon(payment)
    else:
        # A hosted page the customer never received cannot have been paid: free to pay another way at once; the
        # session the provider may have made is closed by its key in the background (followup.py).
        _payment_update(payment, state=decision.payment_state, failure=decision.failure, expire_due=True,
                        error=str(lost)[:255])
        payment_sessions_close_soon()
    raise PaymentFailed(decision, payment)


def _sessions_close_other(order, provider):
    """The customer chose another method: hosted pages still open for this order are to be closed, so a tab left
    open cannot take a second payment (marked inside the start's transaction; the calls follow the commit)."""
    from steadfast.payments.followup import payment_sessions_close_soon

    opened = order.payments.filter(state=Payment.State.PENDING, expire_due=False).exclude(redirect_url="")
    if opened.exclude(provider=provider).update(expire_due=True, updated_at=timezone.now()):
        transaction.on_commit(payment_sessions_close_soon)


def payment_start_offline(order, provider, actor=CUSTOMER, return_url: str = ""):
    """The one offline start (checkout and the order page). No outside call, so it runs inside the caller's
    transaction (the order locked, or just created). The online reservation (reserved_until) is cleared: offline
    orders wait for their money without a deadline unless the method has one (bank transfer), so cash on delivery
    chosen after a failed card is not cancelled when the card's reservation would have run out."""
    gateway = adapter_for(provider)
    payment = Payment.objects.create(order=order, provider=provider, amount=order.total, currency=order.currency,
                                     return_url=return_url)
    # Offline instructions are worded for a pickup (not stored: offline starts are never replayed).
    result = gateway.start(replace(_start_request(payment), pickup=routing.order_is_pickup(order)))
    payment.instructions, payment.reference = result.instructions, result.reference
    payment.save(update_fields=["instructions", "reference", "updated_at"])
    days = getattr(gateway, "expires_after_days", None)
    order_transition(
        order, OrderStatus.AWAITING_OFFLINE_PAYMENT, actor, result.instructions,
        payment_method=provider.code, payment_name=provider.name, payment_reference=result.reference,
        reserved_until=timezone.now() + timedelta(days=days) if days else None,
    )
    return result


def payment_confirm(payment) -> Payment:
    """Ask the provider how this attempt stands (same idempotency key) and record the answer. An attempt the
    customer approved (PayPal) is captured here: on the return, a webhook or reconciliation, never a page view.

    Raises ProviderError when the provider cannot say; the attempt keeps its state and is asked again later.
    """
    gateway = adapter_for(payment.provider)
    if gateway.offline or payment.state not in (Payment.State.PENDING, Payment.State.UNKNOWN):
        return payment
    # Counted in the database: the return, a webhook and the reconciliation job may ask at the same moment.
    Payment.objects.filter(pk=payment.pk).update(checks=F("checks") + 1, updated_at=timezone.now())
    payment.refresh_from_db(fields=["checks", "updated_at"])
    if not payment.reference:
        # The start's answer was lost: replaying it with the same key returns the same session, or makes it.
        result = call(payment.provider, "start", partial(gateway.start, _start_request(payment)),
                      reference=payment.order.number)
        _payment_update(payment, reference=result.reference, redirect_url=result.url)
    status = call(payment.provider, "status", partial(gateway.status, str(payment.key), payment.reference),
                  reference=payment.order.number)
    if status.state == PaymentState.APPROVED:
        status = _capture(payment, gateway, status)
    payment_apply_status(payment, status)
    payment.refresh_from_db()
    return payment


def _capture(payment, gateway, approved: PaymentStatus) -> PaymentStatus:
    """Take the money of an approved attempt, unless the order no longer wants it (then it is left to expire)."""
    from steadfast.payments.followup import payment_recheck_soon

    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=payment.order_id)
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.expire_due or routing.late_success(order, locked):
            return PaymentStatus(PaymentState.CANCELLED, reference=approved.reference, amount=approved.amount)
        # From here the money may move: "confirming" until the capture's answer is read (a crash here included).
        Payment.objects.filter(pk=payment.pk, state=Payment.State.PENDING).update(
            state=Payment.State.UNKNOWN, updated_at=timezone.now())
    try:
        return call(payment.provider, "capture", partial(gateway.capture, str(payment.key), payment.reference),
                    reference=payment.order.number)
    except Declined:
        return PaymentStatus(PaymentState.FAILED, reference=approved.reference, amount=approved.amount)
    except ProviderError as error:
        _payment_update(payment, error=f"capture: {error}"[:255])
        payment_recheck_soon(payment)
        raise


def payment_apply_status(payment, status: PaymentStatus) -> Payment:
    """Record what the provider says (status query or verified webhook); refunds a charge the order did not need."""
    if status.state == PaymentState.SUCCEEDED:
        return payment_succeeded(payment, status)
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.state not in (Payment.State.PENDING, Payment.State.UNKNOWN):
            return locked
        if status.state in (PaymentState.CANCELLED, PaymentState.FAILED):
            locked.state = Payment.State.CANCELLED if status.state == PaymentState.CANCELLED else Payment.State.FAILED
        else:
            locked.state = Payment.State.PENDING  # the session exists, nothing paid (yet)
        locked.reference = status.reference or locked.reference
        locked.save(update_fields=["state", "reference", "updated_at"])
    return locked


def payment_succeeded(payment, status: PaymentStatus | None = None) -> Payment:
    """The provider took the money. Marks the order paid, exactly once; a charge the order did not need (paid
    already through another payment, or cancelled) is refunded automatically and written on the order timeline."""
    with transaction.atomic():
        refund = payment_record_success(payment, status)
    payment.refresh_from_db()
    if refund:
        payment_refund(payment)
        payment.refresh_from_db()
    return payment


def payment_record_success(payment, status: PaymentStatus | None = None) -> bool:
    """The database half of payment_succeeded (call inside a transaction). True when a refund is due."""
    order = Order.objects.select_for_update().get(pk=payment.order_id)
    locked = Payment.objects.select_for_update().get(pk=payment.pk)
    if locked.state in (Payment.State.SUCCEEDED, Payment.State.REFUNDED):
        return False  # already recorded: webhooks and status queries may both bring the news
    if status is not None:
        locked.reference = status.reference or locked.reference
        locked.charge_reference = status.charge_reference or locked.charge_reference
    wrong_amount = status is not None and status.amount is not None and status.amount != locked.money
    extra = wrong_amount or routing.late_success(order, locked)
    locked.state, locked.failure, locked.refund_due = Payment.State.SUCCEEDED, Payment.Failure.NONE, extra
    locked.save()
    name = locked.provider.name
    if extra:
        text = (_("A payment of %(amount)s through %(provider)s did not match the order; it is refunded automatically.")
                if wrong_amount else
                _("A second payment of %(amount)s through %(provider)s arrived for an order that no longer needed "
                  "it; it is refunded automatically."))
        order_event_add(order, "payment_duplicate", SYSTEM, text % {"amount": locked.money, "provider": name})
        return True
    _offline_attempts_cancel(order, locked)
    order_mark_paid(order, SYSTEM, _("Paid through %(provider)s (%(reference)s).") % {
        "provider": name, "reference": locked.reference})
    return False


def _offline_attempts_cancel(order, payment):
    """Paid online while an offline attempt waited (cash on delivery chosen after a card whose answer was lost):
    the offline attempt is withdrawn, never marked succeeded for money nobody collected, and the order names the
    method that took the money."""
    waiting = order.payments.filter(state=Payment.State.PENDING).exclude(pk=payment.pk).select_related("provider")
    offline = [p.pk for p in waiting if routing.is_offline(p.provider)]
    if offline:
        Payment.objects.filter(pk__in=offline).update(state=Payment.State.CANCELLED, updated_at=timezone.now())
    if order.payment_method != payment.provider.code:
        order.payment_method, order.payment_name = payment.provider.code, payment.provider.name
        order.payment_reference = payment.reference[:40]
        order.save(update_fields=["payment_method", "payment_name", "payment_reference", "updated_at"])


def payment_refund(payment, message: str = "") -> Payment:
    """Refund a charge flagged refund_due. Safe to repeat: the refund carries its own idempotency key.
    `message`: the timeline's line (with %(amount)s, %(provider)s, %(reference)s) when it is no extra payment."""
    payment.refresh_from_db()
    gateway = adapter_for(payment.provider)
    if not payment.refund_due or payment.state != Payment.State.SUCCEEDED:
        return payment
    key = f"refund-{payment.key}" + (f"-{payment.refund_attempt}" if payment.refund_attempt else "")
    try:
        result = call(payment.provider, "refund", partial(
            gateway.refund, payment.charge_reference, payment.money, key), reference=payment.order.number)
    except ProviderError as error:
        _payment_update(payment, error=f"refund failed, will retry: {error}"[:255])
        if isinstance(error, (Declined, Rejected)) and not isinstance(error, IdempotencyConflict):
            # A clear "no": no refund was made under this key, and the gateway would replay the "no" to it.
            # Never after a timeout or a 5xx (the refund may exist under this key: the retry must reuse it).
            Payment.objects.filter(pk=payment.pk, refund_attempt=payment.refund_attempt).update(
                refund_attempt=F("refund_attempt") + 1)
        raise
    with transaction.atomic():
        updated = Payment.objects.filter(pk=payment.pk, refund_due=True).update(
            state=Payment.State.REFUNDED, refund_due=False, error="", updated_at=timezone.now())
        if updated:
            order_event_add(payment.order, "payment_refunded", SYSTEM, (message or _(
                "The extra payment of %(amount)s through %(provider)s was refunded (%(reference)s).")) % {
                "amount": payment.money, "provider": payment.provider.name, "reference": result.reference})
    payment.refresh_from_db()
    return payment


def _payment_update(payment, **fields):
    for name, value in fields.items():
        setattr(payment, name, value)
    payment.save(update_fields=[*fields, "updated_at"])
