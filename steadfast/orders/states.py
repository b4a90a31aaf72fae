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


def allowed_transitions(status) -> set:
    return TRANSITIONS[S(status)]


def check_transition(from_status, to_status) -> None:
    if S(to_status) not in TRANSITIONS[S(from_status)]:
        raise TransitionNotAllowed(from_status, to_status)
