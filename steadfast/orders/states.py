"""The order state machine, in one place. Services call `check_transition` before every status change."""

from steadfast.orders.models import OrderStatus as S

TRANSITIONS = {
    S.PENDING_PAYMENT: {S.PAID, S.AWAITING_OFFLINE_PAYMENT, S.CANCELLED},
    # Cash on delivery ships before the money arrives, so fulfilment is allowed while awaiting payment.
    S.AWAITING_OFFLINE_PAYMENT: {S.PAID, S.FULFILLED, S.CANCELLED},
    S.PAID: {S.FULFILLED, S.REFUNDED},
    S.FULFILLED: {S.DELIVERED, S.REFUNDED},
    S.DELIVERED: {S.REFUNDED},
    S.CANCELLED: set(),
    S.REFUNDED: set(),
}

# Statuses whose stock reservation is still held and may expire.
UNPAID = {S.PENDING_PAYMENT, S.AWAITING_OFFLINE_PAYMENT}


class TransitionNotAllowed(Exception):
    def __init__(self, from_status, to_status):
        super().__init__(f"An order that is {S(from_status).label} cannot become {S(to_status).label}.")
        self.from_status, self.to_status = from_status, to_status


def allowed_transitions(status, ships_before_payment=False) -> set:
    allowed = set(TRANSITIONS[S(status)])
    if S(status) == S.AWAITING_OFFLINE_PAYMENT and not ships_before_payment:
        allowed.discard(S.FULFILLED)  # a bank transfer ships only once the money has arrived
    return allowed


def order_allowed_transitions(order) -> set:
    return allowed_transitions(order.status, ships_before_payment(order))


def ships_before_payment(order) -> bool:
    """Cash on delivery is the one kind of order that leaves the warehouse unpaid."""
    from steadfast.providers.models import Provider
    from steadfast.providers.registry import adapter_class

    provider = Provider.objects.filter(code=order.payment_method).first()
    return bool(provider and getattr(adapter_class(provider.adapter), "ships_before_payment", False))


def check_transition(order, to_status) -> None:
    if S(to_status) not in order_allowed_transitions(order):
        raise TransitionNotAllowed(order.status, to_status)
