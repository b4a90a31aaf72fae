"""Unpaid orders hold stock only until reserved_until; orders_expire_reservations gives it back."""

from datetime import timedelta

import pytest
from django.utils import timezone

from steadfast.catalog.models import Variant
from steadfast.checkout.services import order_place
from steadfast.notify.models import OutboxMessage
from steadfast.orders.models import Order, OrderStatus
from steadfast.orders.services import SYSTEM, order_mark_paid, orders_expire_reservations


@pytest.fixture
def place(details):
    def place(variant, quantity=2, payment="bank_transfer", key="reserve-1"):
        chosen = details.__class__(**{**details.__dict__, "payment_method": payment})
        order, _ = order_place(lines=[(variant.pk, quantity)], details=chosen, idempotency_key=key)
        return order

    return place


def stock(variant):
    return Variant.objects.get(pk=variant.pk).stock


@pytest.mark.django_db
def test_unpaid_order_past_its_reservation_is_cancelled_and_stock_returns(make_variant, place):
    variant = make_variant(stock=5)
    order = place(variant, quantity=2)
    assert order.status == OrderStatus.AWAITING_OFFLINE_PAYMENT and stock(variant) == 3

    expired = orders_expire_reservations(now=order.reserved_until + timedelta(seconds=1))

    order.refresh_from_db()
    assert expired == 1
    assert order.status == OrderStatus.CANCELLED and not order.stock_reserved and order.reserved_until is None
    assert stock(variant) == 5
    assert Variant.objects.get(pk=variant.pk).product.in_stock is True
    last = order.events.last()
    assert (last.kind, last.actor, last.to_status) == ("status", SYSTEM, OrderStatus.CANCELLED)
    assert "Reservation expired" in last.message
    assert OutboxMessage.objects.filter(order=order, kind="order_cancelled").count() == 1


@pytest.mark.django_db
def test_expiry_returns_stock_only_once(make_variant, place):
    variant = make_variant(stock=5)
    order = place(variant, quantity=2)
    later = order.reserved_until + timedelta(minutes=1)

    assert orders_expire_reservations(now=later) == 1
    assert orders_expire_reservations(now=later) == 0
    assert stock(variant) == 5


@pytest.mark.django_db
def test_sold_out_product_is_back_in_stock_after_expiry(make_variant, place):
    variant = make_variant(stock=2)
    order = place(variant, quantity=2)
    assert Variant.objects.get(pk=variant.pk).product.in_stock is False

    orders_expire_reservations(now=order.reserved_until + timedelta(seconds=1))

    assert Variant.objects.get(pk=variant.pk).product.in_stock is True


@pytest.mark.django_db
def test_reservation_not_yet_expired_is_kept(make_variant, place):
    variant = make_variant(stock=5)
    order = place(variant)

    assert orders_expire_reservations(now=order.reserved_until - timedelta(seconds=1)) == 0
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_OFFLINE_PAYMENT and stock(variant) == 3


@pytest.mark.django_db
def test_paid_order_is_untouched(make_variant, place):
    variant = make_variant(stock=5)
    order = place(variant)
    deadline = order.reserved_until
    order_mark_paid(order, SYSTEM, "Transfer received.")

    assert orders_expire_reservations(now=deadline + timedelta(days=30)) == 0
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and order.stock_reserved
    assert stock(variant) == 3


@pytest.mark.django_db
def test_paid_order_with_a_stale_deadline_is_untouched(make_variant, place):
    """Even if a deadline were left behind on a paid order, only unpaid statuses expire."""
    variant = make_variant(stock=5)
    order = place(variant)
    order_mark_paid(order, SYSTEM)
    Order.objects.filter(pk=order.pk).update(reserved_until=timezone.now() - timedelta(days=1))

    assert orders_expire_reservations() == 0
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID and stock(variant) == 3


@pytest.mark.django_db
def test_cash_on_delivery_order_has_no_deadline_and_is_untouched(make_variant, place):
    variant = make_variant(stock=5)
    order = place(variant, payment="cash_on_delivery")
    assert order.reserved_until is None

    assert orders_expire_reservations(now=timezone.now() + timedelta(days=365)) == 0
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_OFFLINE_PAYMENT and stock(variant) == 3


@pytest.mark.django_db
def test_only_the_expired_one_of_several_orders_is_cancelled(make_variant, place):
    variant = make_variant(stock=10)
    overdue = place(variant, quantity=1, key="overdue-1")
    cod = place(variant, quantity=1, payment="cash_on_delivery", key="cod-1")
    fresh = place(variant, quantity=1, key="fresh-1")
    Order.objects.filter(pk=overdue.pk).update(reserved_until=timezone.now() - timedelta(minutes=1))

    assert orders_expire_reservations() == 1
    statuses = dict(Order.objects.values_list("pk", "status"))
    assert statuses == {overdue.pk: OrderStatus.CANCELLED, cod.pk: OrderStatus.AWAITING_OFFLINE_PAYMENT,
                        fresh.pk: OrderStatus.AWAITING_OFFLINE_PAYMENT}
    assert stock(variant) == 8
