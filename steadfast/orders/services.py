"""Every write to an order goes through here: status changes are checked against states.TRANSITIONS."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from steadfast.catalog.services import products_refresh_summary, variant_return_stock
from steadfast.notify.outbox import outbox_add
from steadfast.orders.models import Order, OrderEvent, OrderStatus
from steadfast.orders.states import UNPAID, TransitionNotAllowed, check_transition

SYSTEM = "system"
CUSTOMER = "customer"


def actor_for(user) -> str:
    if user is None or not user.is_authenticated:
        return CUSTOMER
    return f"staff:{user.get_username()}" if user.is_staff else f"customer:{user.get_username()}"


def order_event_add(order, kind, actor, message="", from_status="", to_status="") -> OrderEvent:
    return OrderEvent.objects.create(
        order=order, kind=kind, actor=actor, message=message, from_status=from_status, to_status=to_status
    )


def _locked(order) -> Order:
    return Order.objects.select_for_update().get(pk=order.pk)


def order_transition(order, to_status, actor, message="", **changes) -> Order:
    with transaction.atomic():
        locked = _locked(order)
        check_transition(locked, to_status)
        from_status = locked.status
        locked.status = to_status
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.save()
        order_event_add(locked, "status", actor, message, from_status, to_status)
        _notify_customer(locked, to_status)
    return locked


def order_mark_paid(order, actor, message="") -> Order:
    """Record that the money arrived. Cash on delivery is paid after shipping, so that is a note, not a status."""
    with transaction.atomic():
        locked = _locked(order)
        if locked.status in UNPAID:
            _offline_payments_succeeded(locked)
            return order_transition(
                locked, OrderStatus.PAID, actor, message, paid_at=timezone.now(), reserved_until=None
            )
        if locked.status in (OrderStatus.FULFILLED, OrderStatus.DELIVERED) and locked.paid_at is None:
            locked.paid_at = timezone.now()
            locked.save(update_fields=["paid_at", "updated_at"])
            _offline_payments_succeeded(locked)
            order_event_add(locked, "payment_received", actor, message or _("Payment received."))
            return locked
        raise TransitionNotAllowed(locked.status, OrderStatus.PAID)


def _offline_payments_succeeded(order):
    """Staff confirming offline money settles the pending offline payment attempt with it."""
    from steadfast.payments.models import Payment
    from steadfast.providers.registry import adapter_class

    # Only offline attempts: an open online attempt (a card page left open) is settled by its gateway's answer,
    # and marking it succeeded here would hide a later real charge from the double-payment refund.
    pending = order.payments.filter(state=Payment.State.PENDING, provider__code=order.payment_method)
    offline = [
        p.pk for p in pending.select_related("provider") if getattr(adapter_class(p.provider.adapter), "offline", False)
    ]
    Payment.objects.filter(pk__in=offline).update(state=Payment.State.SUCCEEDED)


def order_fulfil(order, actor, message="") -> Order:
    return order_transition(order, OrderStatus.FULFILLED, actor, message, reserved_until=None)


def order_deliver(order, actor, message="") -> Order:
    return order_transition(order, OrderStatus.DELIVERED, actor, message)


def order_cancel(order, actor, message="") -> Order:
    """Cancel and give the reserved stock back, exactly once."""
    with transaction.atomic():
        locked = _locked(order)
        check_transition(locked, OrderStatus.CANCELLED)
        _stock_return(locked)
        _payment_pages_close(locked)
        return order_transition(
            locked, OrderStatus.CANCELLED, actor, message, stock_reserved=False, reserved_until=None
        )


def _stock_return(locked):
    if locked.stock_reserved:
        for line in locked.lines.exclude(variant=None).order_by("variant_id"):  # checkout's lock order
            variant_return_stock(line.variant_id, line.quantity)
        products_refresh_summary(locked.lines.exclude(variant=None).values_list("variant__product_id", flat=True))


def _payment_pages_close(order):
    """A cancelled order's open payment pages are closed by the payments worker, so nobody pays them later."""
    from steadfast.payments.followup import payment_sessions_close_soon
    from steadfast.payments.models import Payment

    opened = order.payments.filter(state=Payment.State.PENDING, expire_due=False).exclude(redirect_url="")
    if opened.update(expire_due=True, updated_at=timezone.now()):
        payment_sessions_close_soon()


def order_confirm(order, actor, message="") -> Order:
    """The customer (e-mail link) or staff confirm an offline order: it keeps its stock like any offline order."""
    from steadfast.providers.models import Provider
    from steadfast.providers.registry import adapter_for

    with transaction.atomic():
        locked = _locked(order)
        if locked.status != OrderStatus.AWAITING_OFFLINE_PAYMENT or locked.confirmed_at is not None:
            raise TransitionNotAllowed(locked.status, locked.status)
        provider = Provider.objects.filter(code=locked.payment_method).first()
        days = getattr(adapter_for(provider), "expires_after_days", None) if provider else None
        now = timezone.now()
        locked.confirmed_at = now
        locked.reserved_until = now + timedelta(days=days) if days else None
        locked.save(update_fields=["confirmed_at", "reserved_until", "updated_at"])
        order_event_add(locked, "confirmed", actor, message or _("Order confirmed; the items stay reserved."))
        return locked


EDITABLE_FIELDS = ("email", "phone", "full_name", "address_line1", "address_line2", "postcode", "city", "country",
                   "note")


def order_edit(order, actor, message="", **changes) -> Order:
    """Staff correct the customer's contact or address; the timeline (and accounting) learn what changed."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        locked = _locked(order)
        changed = [name for name, value in changes.items() if getattr(locked, name) != value]
        if not changed:
            return locked
        for name in changed:
            setattr(locked, name, changes[name])
        locked.save(update_fields=[*changed, "updated_at"])
        order_event_add(locked, "edited", actor, message or _("Changed: %(fields)s.") % {"fields": ", ".join(changed)})
        return locked


def order_refund(order, actor, message="", restock=False) -> Order:
    """`restock`: the items never left (the synthetic checkout's paid test order): their stock comes back."""
    if not restock:
        return order_transition(order, OrderStatus.REFUNDED, actor, message)
    with transaction.atomic():
        locked = _locked(order)
        check_transition(locked, OrderStatus.REFUNDED)
        _stock_return(locked)
        return order_transition(locked, OrderStatus.REFUNDED, actor, message, stock_reserved=False)


def orders_expire_reservations(now=None) -> int:
    """Cancel unpaid orders whose reservation ran out, releasing their stock. Never one whose payment is being
    confirmed (payments "unknown": the customer came back from the provider, or a capture was sent): cancelling it
    would refund a real payment instead of fulfilling the order."""
    now = now or timezone.now()
    expired = Order.objects.filter(status__in=UNPAID, reserved_until__lt=now).exclude(
        payments__state="unknown").values_list("pk", flat=True)
    count = 0
    for order in Order.objects.filter(pk__in=list(expired)):
        try:
            with transaction.atomic():
                locked = _locked(order)
                if locked.payments.filter(state="unknown").exists():
                    continue  # became confirming since the query (the customer just came back)
                order_cancel(locked, SYSTEM, _("Reservation expired: the order was not paid in time."))
        except TransitionNotAllowed:
            continue  # paid or cancelled by someone else in the meantime
        count += 1
    return count


_CUSTOMER_MESSAGES = {
    OrderStatus.PAID: "order_paid",
    OrderStatus.FULFILLED: "order_shipped",
    OrderStatus.CANCELLED: "order_cancelled",
}


def _notify_customer(order, to_status):
    kind = _CUSTOMER_MESSAGES.get(to_status)
    if kind and not order.synthetic:
        outbox_add(
            key=f"{kind}:{order.pk}", kind=kind, recipient=order.email, order=order, payload=order_payload(order)
        )


def order_payload(order) -> dict:
    return {
        "number": order.number,
        "token": order.token,
        "language": order.language,
        "total": str(order.total),
        "currency": order.currency,
        "name": order.full_name,
    }
