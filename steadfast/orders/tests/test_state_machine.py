import dataclasses

import pytest

from steadfast.catalog.models import Variant
from steadfast.checkout.services import order_place
from steadfast.orders.models import OrderStatus
from steadfast.orders.services import order_cancel, order_deliver, order_fulfil, order_mark_paid
from steadfast.orders.states import TRANSITIONS, TransitionNotAllowed
from steadfast.payments.models import Payment

pytestmark = pytest.mark.django_db


def _place(make_variant, details, payment_method, key):
    variant = make_variant(stock=4)
    details = dataclasses.replace(details, payment_method=payment_method)
    return order_place(lines=[(variant.pk, 1)], details=details, idempotency_key=key)[0], variant


def test_bank_transfer_order_does_not_ship_before_the_money_arrives(make_variant, details):
    order, _ = _place(make_variant, details, "bank_transfer", "bt-1")
    with pytest.raises(TransitionNotAllowed):
        order_fulfil(order, "staff:eve")
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_OFFLINE_PAYMENT

    order = order_mark_paid(order, "staff:eve")
    assert order.status == OrderStatus.PAID and order.paid_at is not None
    assert order.payments.get().state == Payment.State.SUCCEEDED
    assert order_fulfil(order, "staff:eve").status == OrderStatus.FULFILLED


def test_cash_on_delivery_ships_first_and_is_paid_on_delivery(make_variant, details):
    order, _ = _place(make_variant, details, "cash_on_delivery", "cod-1")
    order = order_deliver(order_fulfil(order, "staff:eve"), "staff:eve")
    assert order.status == OrderStatus.DELIVERED and order.paid_at is None

    order = order_mark_paid(order, "staff:eve", "Courier handed over the cash.")
    assert order.status == OrderStatus.DELIVERED and order.paid_at is not None
    assert order.payments.get().state == Payment.State.SUCCEEDED
    assert [e.kind for e in order.events.all()][-1] == "payment_received"


def test_cancel_releases_stock_once_and_terminal_states_stay_terminal(make_variant, details):
    order, variant = _place(make_variant, details, "bank_transfer", "bt-2")
    assert Variant.objects.get(pk=variant.pk).stock == 3
    order = order_cancel(order, "staff:eve")
    assert Variant.objects.get(pk=variant.pk).stock == 4
    for action in (order_cancel, order_mark_paid, order_fulfil):
        with pytest.raises(TransitionNotAllowed):
            action(order, "staff:eve")
    assert Variant.objects.get(pk=variant.pk).stock == 4
    assert TRANSITIONS[OrderStatus.CANCELLED] == set() and TRANSITIONS[OrderStatus.REFUNDED] == set()
