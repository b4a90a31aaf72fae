from decimal import Decimal

import pytest

from steadfast.catalog.models import Variant
from steadfast.checkout.services import CheckoutError, OutOfStock, order_place
from steadfast.notify.models import OutboxMessage
from steadfast.orders.models import Order, OrderStatus


@pytest.mark.django_db
def test_placing_reserves_stock_numbers_order_and_queues_confirmation(make_variant, details):
    variant = make_variant(stock=5, price="19.90")
    order, created = order_place(lines=[(variant.pk, 2)], details=details, idempotency_key="k1")

    assert created
    assert order.number == f"SF-{order.pk:06d}"
    assert order.status == OrderStatus.AWAITING_OFFLINE_PAYMENT
    assert order.subtotal == Decimal("39.80") and order.delivery_total == Decimal("4.90")
    assert order.total == Decimal("44.70")
    assert Variant.objects.get(pk=variant.pk).stock == 3
    assert [e.kind for e in order.events.all()] == ["placed", "status"]
    message = OutboxMessage.objects.get(order=order)
    assert message.kind == "order_confirmation" and message.recipient == "ann@example.com"
    assert len(order.token) >= 32


@pytest.mark.django_db
def test_replayed_key_returns_the_same_order_and_takes_stock_once(make_variant, details):
    variant = make_variant(stock=5)
    first, _ = order_place(lines=[(variant.pk, 1)], details=details, idempotency_key="same")
    second, created = order_place(lines=[(variant.pk, 1)], details=details, idempotency_key="same")

    assert not created and second.pk == first.pk
    assert Order.objects.count() == 1
    assert Variant.objects.get(pk=variant.pk).stock == 4


@pytest.mark.django_db
def test_not_enough_stock_changes_nothing(make_variant, details):
    plenty, scarce = make_variant(stock=5), make_variant(stock=1)
    with pytest.raises(OutOfStock):
        order_place(lines=[(plenty.pk, 2), (scarce.pk, 2)], details=details, idempotency_key="k2")

    assert Order.objects.count() == 0 and OutboxMessage.objects.count() == 0
    assert Variant.objects.get(pk=plenty.pk).stock == 5
    assert Variant.objects.get(pk=scarce.pk).stock == 1


@pytest.mark.django_db
def test_unknown_payment_method_is_refused(make_variant, details):
    variant = make_variant()
    forged = details.__class__(**{**details.__dict__, "payment_method": "free_money"})
    with pytest.raises(CheckoutError):
        order_place(lines=[(variant.pk, 1)], details=forged, idempotency_key="k3")
    assert Order.objects.count() == 0
