"""Shoppers racing for the last units: real threads, each with its own database connection, calling order_place.

The stock guard is the conditional UPDATE in catalog.services.variant_take_stock; these tests prove it holds when
requests really overlap, on SQLite (writers queue on BEGIN IMMEDIATE) and on PostgreSQL (row locks) alike.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from steadfast.catalog.models import Product, Variant
from steadfast.checkout.services import OutOfStock, order_place
from steadfast.notify.models import OutboxMessage
from steadfast.orders.models import Order, OrderLine
from steadfast.overlap import overlapped
from steadfast.testing import WAIT_SECONDS

# transaction=True: every thread must see the others' commits. The flush after a transactional test wipes rows made by
# data migrations (payment providers, delivery methods); the shop_defaults fixture puts them back first.
race_db = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _race_on_a_file(transactional_db, shop_defaults):
    yield


def race(count, attempt):
    """Run attempt(i) in `count` threads released at one moment; return each result, or the OutOfStock raised."""
    start = threading.Barrier(count)

    def run(i):
        try:
            start.wait()
            return attempt(i)
        except OutOfStock as error:  # any other exception fails the test
            return error
        finally:
            connections.close_all()  # this thread's own connection

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def one_each(variant, details, prefix, quantity=1):
    return lambda i: order_place(lines=[(variant.pk, quantity)], details=details, idempotency_key=f"{prefix}-{i}")


@race_db
@pytest.mark.parametrize(("shoppers", "stock"), [(2, 1), (8, 1), (8, 3)])
def test_exactly_stock_many_shoppers_win_the_last_units(make_variant, details, shoppers, stock):
    variant = make_variant(stock=stock)

    outcomes = race(shoppers, one_each(variant, details, "shopper"))

    won = [o for o in outcomes if isinstance(o, tuple)]
    lost = [o for o in outcomes if isinstance(o, OutOfStock)]
    assert len(won) == stock and len(lost) == shoppers - stock, outcomes
    assert all(created for _, created in won)
    assert Variant.objects.get(pk=variant.pk).stock == 0
    assert Order.objects.count() == stock
    assert sum(OrderLine.objects.values_list("quantity", flat=True)) == stock
    assert Variant.objects.get(pk=variant.pk).product.in_stock is False
    # A loser's order, its lines and its confirmation e-mail were all rolled back with the stock it could not take.
    assert OutboxMessage.objects.filter(kind="order_confirmation").count() == stock


@race_db
def test_shoppers_wanting_two_of_three_never_drive_stock_negative(make_variant, details):
    variant = make_variant(stock=3)

    outcomes = race(6, one_each(variant, details, "pair", quantity=2))

    assert sum(isinstance(o, tuple) for o in outcomes) == 1
    assert Variant.objects.get(pk=variant.pk).stock == 1
    assert Order.objects.count() == 1


@race_db
def test_one_idempotency_key_from_four_threads_makes_one_order(make_variant, details):
    variant = make_variant(stock=10)

    outcomes = race(4, lambda i: order_place(lines=[(variant.pk, 1)], details=details, idempotency_key="double-click"))

    assert all(isinstance(o, tuple) for o in outcomes), outcomes
    assert len({order.pk for order, _ in outcomes}) == 1
    assert sum(created for _, created in outcomes) == 1
    assert Order.objects.count() == 1
    assert Variant.objects.get(pk=variant.pk).stock == 9


@race_db
def test_racers_use_separate_connections():
    """Guards the tests above: threads sharing one connection would prove nothing."""
    raw = race(4, lambda i: (connection.ensure_connection(), connection.connection)[1])

    connection.ensure_connection()
    assert len({id(c) for c in [*raw, connection.connection]}) == 5


@race_db
def test_two_shoppers_taking_the_last_unit_of_two_sizes_leave_the_product_out_of_stock(make_variant, details, client):
    """Each order reads the product's other variants to say whether it is still in stock; the product row is locked
    first, so the second order reads them after the first commits (on PostgreSQL without that lock, each saw the
    other's size still in stock and the listing said "in stock" for a product with nothing left)."""
    small = make_variant(stock=1, name="Lantern", options={"size": "S"})
    large = Variant.objects.create(product=small.product, sku="TST-L", price=small.price, stock=1,
                                   options={"size": "L"})

    _, second = overlapped(
        lambda: order_place(lines=[(small.pk, 1)], details=details, idempotency_key="size-s"),
        lambda: order_place(lines=[(large.pk, 1)], details=details, idempotency_key="size-l"))
    second.result(timeout=WAIT_SECONDS)

    assert Order.objects.count() == 2
    assert Variant.objects.get(pk=small.pk).stock == 0 and Variant.objects.get(pk=large.pk).stock == 0
    assert Product.objects.get(pk=small.product_id).in_stock is False
    assert "Out of stock" in client.get("/c/test-cat/").content.decode()
