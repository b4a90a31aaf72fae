"""A week-long MoySklad outage: 1,000 orders placed, some paid, shipped, refunded, cancelled or edited while it is
down; then recovery. At the fake's own ledger: no order missing, none created twice, every order's final state the
shop's, and the changes arrived in the order they happened. (The signed webhook and 1C go through the same
outage in test_outage_drill_targets.py.)

The first 100 orders go through checkout; the other 900 are written directly and announced with the service
checkout uses (order_event_add "placed", which writes their sync rows), so the drill's time goes to the outage and
the recovery, not to 900 more checkouts (checkout's own rows are tested in test_sync_rows.py).
"""

import itertools
import time
import uuid

from django.db import transaction
from django.utils import timezone

from steadfast.accounting.models import SyncRow
from steadfast.accounting.replay import target_replay
from steadfast.accounting.tests.conftest import STATES
from steadfast.orders.models import Order, OrderLine
from steadfast.orders.services import (
    CUSTOMER,
    SYSTEM,
    order_cancel,
    order_edit,
    order_event_add,
    order_fulfil,
    order_mark_paid,
    order_refund,
)
from steadfast.providers.breaker import cooldown
from steadfast.providers.probes import providers_probe

ORDERS = 1000
LATER = timezone.timedelta(hours=2)


def written(quantity, variant, email):
    order = Order.objects.create(
        idempotency_key=uuid.uuid4().hex, email=email, phone="+48 600 100 200", full_name="Ann Nowak",
        address_line1="ul. Długa 5", postcode="00-950", city="Warszawa", country="PL", delivery_method="courier",
        delivery_name="Courier", payment_method="bank_transfer", payment_name="Bank transfer", currency="PLN",
        subtotal=variant.price * quantity, delivery_total=0, total=variant.price * quantity)
    order.number = f"SF-{order.pk:06d}"
    order.save(update_fields=["number"])
    OrderLine.objects.create(order=order, variant=variant, product_name=variant.product.name, sku=variant.sku,
                             unit_price=variant.price, quantity=quantity, line_total=variant.price * quantity)
    order_event_add(order, "placed", CUSTOMER, "Order placed.", to_status=order.status)
    return order


def changes_during(orders):
    """Orders edited, paid, shipped, refunded and cancelled while accounting is down."""
    with transaction.atomic():
        for n, order in enumerate(orders):
            if n % 7 == 3:
                order_edit(order, SYSTEM, city="Gdańsk", address_line1=f"ul. Nowa {n}")
            if n % 3 == 0:
                order_mark_paid(order, SYSTEM)
                if n % 2 == 0:
                    order_fulfil(order, SYSTEM)
                if n % 5 == 0:
                    order_refund(order, SYSTEM)
            elif n % 4 == 1:
                order_cancel(order, SYSTEM)


def collapse(pairs):
    """A write repeated after a lost answer is the same write: keep one of each run."""
    return [pair for pair, _ in itertools.groupby(pairs)]


def test_a_week_long_outage_then_recovery_loses_and_doubles_nothing(moysklad, fake_moysklad, place, make_variant,
                                                                    breaker_clock):
    variants = [make_variant(stock=100_000, price=price) for price in ("19.90", "5.00", "120.00")]
    fake_moysklad.set_fault("status", status=503)
    started = time.monotonic()

    orders = []
    for batch in range(0, ORDERS, 100):
        with transaction.atomic():  # a busy hour's worth per transaction: the drill's cost is not 1,000 fsyncs
            for n in range(batch, batch + 100):
                make = place if batch == 0 else written
                orders.append(make(quantity=1 + n % 3, variant=variants[n % 3], email=f"buyer{n % 40}@example.com"))
        # the worker keeps trying during the outage: nothing gets through
        target_replay(moysklad.sync_target.pk, now=timezone.now() + LATER * (batch // 100 + 1))
    changes_during(orders)
    placed_in = time.monotonic() - started

    assert fake_moysklad.ledger.writes == [], "nothing reached MoySklad during the outage"
    backlog = SyncRow.objects.filter(state="pending").count()
    assert backlog > 1.5 * ORDERS

    fake_moysklad.set_fault("ok")
    breaker_clock.advance(cooldown(moysklad) + 1)
    assert providers_probe(moysklad.code)[0].outcome == "ok"
    fake_moysklad.set_fault("reset_after", times=3)  # a flaky recovery: three creates made, their answers lost
    for round_ in range(ORDERS // 100 + 2, 60):  # each round past the backoff the one before set
        breaker_clock.advance(cooldown(moysklad) + 1)
        providers_probe(moysklad.code)  # the periodic probe closes a breaker the lost answers opened
        target_replay(moysklad.sync_target.pk, now=timezone.now() + LATER * round_, limit=10_000)
        if not SyncRow.objects.filter(state="pending").exists():
            break
    replayed_in = time.monotonic() - started - placed_in

    assert not SyncRow.objects.exclude(state="done").exists()
    numbers = sorted(o.number for o in orders)
    assert sorted(fake_moysklad.ledger.creates) == numbers, "0 missing, 0 created twice"
    for order in Order.objects.filter(pk__in=[o.pk for o in orders]).prefetch_related("lines"):
        remote = fake_moysklad.by_code(order.number)
        assert remote["state"]["meta"]["href"].rsplit("/", 1)[-1] == STATES[order.status], order.number
        assert remote["sum"] == int(order.subtotal * 100)
        assert order.city in remote["shipmentAddress"] and order.address_line1 in remote["shipmentAddress"]
    expected = [(row.order_number, STATES[row.payload["status"]])
                for row in SyncRow.objects.filter(target__provider=moysklad).order_by("seq")]
    assert collapse(fake_moysklad.ledger.writes) == collapse(expected), "every change, once, in the order it happened"
    print(f"\ndrill: {ORDERS} orders, {backlog} changes in {placed_in:.1f} s, replayed in {replayed_in:.1f} s")
