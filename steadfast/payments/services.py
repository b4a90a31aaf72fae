"""Payment attempts against an order: start, confirm, succeed, refund. Every outside call goes through
providers.call.call() and never inside a database transaction: rows are committed first, the call follows.

The idempotency key of an attempt is Payment.key; it is sent on the start, on every replay of the start and on
status queries, so asking twice never charges twice.
"""

from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from steadfast.orders.models import Order, OrderStatus
from steadfast.orders.services import CUSTOMER, SYSTEM, order_event_add, order_mark_paid, order_transition
from steadfast.payments import routing
from steadfast.payments.interface import PaymentState, PaymentStatus, StartRequest
from steadfast.payments.models import Payment
from steadfast.payments.requests import payment_start_request
from steadfast.providers.call import call
from steadfast.providers.errors import Indeterminate, ProviderError
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
        payment = Payment.objects.create(order=locked, provider=provider, amount=locked.total,
                                         currency=locked.currency, return_url=return_url)
        if gateway.offline:
            return _start_offline(locked, payment, gateway, actor)
        if locked.payment_method != provider.code:
            locked.payment_method, locked.payment_name = provider.code, provider.name
            locked.save(update_fields=["payment_method", "payment_name", "updated_at"])
    return _start_online(payment, gateway)


def _start_request(payment) -> StartRequest:
    # Stored at the first build: a replay sends byte-identical parameters (payments.requests).
    return payment_start_request(payment)


def _start_online(payment, gateway):
    request = _start_request(payment)
    deadline = routing.payment_step_deadline()  # the whole step, replays included, fits the budget
    for _attempt in range(1 + routing.QUICK_CHECKS):
        timeout = routing.start_timeout(payment.provider, deadline)
        if timeout is None:
            break
        try:
            result = call(payment.provider, "start", partial(gateway.start, request), reference=payment.order.number,
                          timeout=timeout)
        except Indeterminate as error:
            # The provider may have acted on it: replaying with the same key returns what it made, never a second one.
            _payment_update(payment, state=Payment.State.UNKNOWN, error=str(error)[:255])
            continue
        except ProviderError as error:
            decision = routing.decide(error)
            if payment.state == Payment.State.UNKNOWN:
                decision = routing.decide(Indeterminate(str(error)))  # an earlier answer was lost: still unknown
            else:
                _payment_update(payment, state=decision.payment_state, failure=decision.failure, error=str(error)[:255])
            raise PaymentFailed(decision, payment) from error
        _payment_update(payment, state=Payment.State.PENDING, reference=getattr(result, "reference", ""),
                        redirect_url=getattr(result, "url", ""), error="")
        return result
    raise PaymentFailed(routing.decide(Indeterminate(payment.error)), payment)


def _start_offline(order, payment, gateway, actor):
    """Offline methods make no outside call: all of it happens inside the caller's transaction."""
    result = gateway.start(_start_request(payment))
    payment.instructions, payment.reference = result.instructions, result.reference
    payment.save(update_fields=["instructions", "reference", "updated_at"])
    days = getattr(gateway, "expires_after_days", None)
    order_transition(
        order, OrderStatus.AWAITING_OFFLINE_PAYMENT, actor, result.instructions,
        payment_method=payment.provider.code, payment_name=payment.provider.name, payment_reference=result.reference,
        reserved_until=timezone.now() + timedelta(days=days) if days else order.reserved_until,
    )
    return result


def payment_confirm(payment) -> Payment:
    """Ask the provider how this attempt stands (same idempotency key) and record the answer.

    Raises ProviderError when the provider cannot say; the attempt keeps its state and is asked again later.
    """
    gateway = adapter_for(payment.provider)
    if gateway.offline or payment.state not in (Payment.State.PENDING, Payment.State.UNKNOWN):
        return payment
    Payment.objects.filter(pk=payment.pk).update(checks=payment.checks + 1, updated_at=timezone.now())
    payment.checks += 1
    if not payment.reference:
        # The start's answer was lost: replaying it with the same key returns the same session, or makes it.
        result = call(payment.provider, "start", partial(gateway.start, _start_request(payment)),
                      reference=payment.order.number)
        _payment_update(payment, reference=result.reference, redirect_url=result.url)
    try:
        status = call(payment.provider, "status", partial(gateway.status, str(payment.key), payment.reference),
                      reference=payment.order.number)
    except Indeterminate as error:
        # The query itself may have acted (PayPal captures an approved order in status()): the money may be taken,
        # so no other charge for this order until a later query settles it ("confirming").
        Payment.objects.filter(pk=payment.pk, state=Payment.State.PENDING).update(
            state=Payment.State.UNKNOWN, error=str(error)[:255], updated_at=timezone.now())
        raise
    payment_apply_status(payment, status)
    payment.refresh_from_db()
    return payment


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
            locked.state = Payment.State.PENDING  # an unknown start resolved: the session exists, nothing paid
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
    order_mark_paid(order, SYSTEM, _("Paid through %(provider)s (%(reference)s).") % {
        "provider": name, "reference": locked.reference})
    return False


def payment_refund(payment) -> Payment:
    """Refund a charge flagged refund_due. Safe to repeat: the refund carries its own idempotency key."""
    payment.refresh_from_db()
    gateway = adapter_for(payment.provider)
    if not payment.refund_due or payment.state != Payment.State.SUCCEEDED:
        return payment
    try:
        result = call(payment.provider, "refund", partial(
            gateway.refund, payment.charge_reference, payment.money, f"refund-{payment.key}"),
            reference=payment.order.number)
    except ProviderError as error:
        _payment_update(payment, error=f"refund failed, will retry: {error}"[:255])
        raise
    with transaction.atomic():
        updated = Payment.objects.filter(pk=payment.pk, refund_due=True).update(
            state=Payment.State.REFUNDED, refund_due=False, error="", updated_at=timezone.now())
        if updated:
            order_event_add(payment.order, "payment_refunded", SYSTEM, _(
                "The extra payment of %(amount)s through %(provider)s was refunded (%(reference)s).") % {
                "amount": payment.money, "provider": payment.provider.name, "reference": result.reference})
    payment.refresh_from_db()
    return payment


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


def _payment_update(payment, **fields):
    for name, value in fields.items():
        setattr(payment, name, value)
    payment.save(update_fields=[*fields, "updated_at"])
