"""One payment, several settlers at once: real threads, each with its own database connection, against the fakes
over real HTTP. Money is checked against the fakes' own ledgers.

- The customer's return, the provider's webhook and the reconciliation job settle one paid attempt at the same
  moment: the order is paid once, one charge is kept, nothing is refunded.
- Two settlers that overlap in time are made to overlap for certain: the first holds its transaction open until
  the second is either finished or waiting for a row lock (PostgreSQL: pg_stat_activity; SQLite queues every
  writer at BEGIN IMMEDIATE, so there the second cannot overtake at all). Removing select_for_update from
  payment_start or payment_record_success makes these fail on PostgreSQL.
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.test import Client
from django.utils import timezone

from steadfast.orders.models import OrderStatus
from steadfast.payments.models import Payment
from steadfast.payments.reconcile import payments_reconcile
from steadfast.payments.services import PaymentNotAllowed, payment_confirm, payment_record_success, payment_start
from steadfast.payments.tests.matrix import gateway_start

race_db = pytest.mark.django_db(transaction=True)
pytestmark = race_db
RETURN = "http://testserver/orders/x/"
WAIT = 30  # seconds, the bound of every wait


@pytest.fixture(autouse=True)
def _race_on_a_file(transactional_db, shop_defaults):
    yield


@pytest.fixture
def order_for(make_variant, details):
    variant = make_variant(stock=10, price="20.00")
    counter = {"n": 0}

    def make(provider):
        from steadfast.checkout.services import order_place

        counter["n"] += 1
        order, _ = order_place(lines=[(variant.pk, 1)], details=replace(details, payment_method=provider.code),
                               idempotency_key=f"race-{provider.code}-{counter['n']}")
        return order

    return make


def wait_for(what, check):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.02)
    raise AssertionError(f"gave up after {WAIT} s waiting for {what}")


def in_thread(fn):
    """fn() in a thread of its own with its own connection; the Future holds its result or exception."""

    def run():
        try:
            return fn()
        finally:
            connections.close_all()

    pool = ThreadPoolExecutor(max_workers=1)
    future = pool.submit(run)
    pool.shutdown(wait=False)
    return future


def waiting_for_a_lock() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()")
        return cursor.fetchone()[0] > 0


def overlapped(first, second):
    """Run first() inside a transaction held open until second() (started meanwhile) has finished or waits for a
    lock; then commit first. Returns (first's result, second's Future)."""
    inside, release = threading.Event(), threading.Event()

    def hold():
        with transaction.atomic():
            result = first()
            inside.set()
            assert release.wait(WAIT), "never released"
        return result

    held = in_thread(hold)
    wait_for("the first settler inside its transaction", lambda: inside.is_set() or held.done())
    started = threading.Event()

    def go():
        started.set()
        return second()

    other = in_thread(go)
    sqlite = connection.vendor != "postgresql"
    wait_for("the second settler to finish or wait for the lock",
             lambda: other.done() or waiting_for_a_lock() or (sqlite and started.is_set()))
    release.set()
    return held.result(timeout=WAIT), other


@pytest.mark.parametrize("gateway_name", ["stripe", "paypal"])
def test_return_webhook_and_reconciliation_at_once_pay_the_order_once(gateway_name, order_for, monkeypatch):
    gateway = gateway_start(gateway_name, monkeypatch)
    try:
        order = order_for(gateway.provider)
        redirect = payment_start(order, gateway.provider, return_url=RETURN)
        gateway.pay(redirect.url)
        payment = order.payments.get()
        barrier = threading.Barrier(3)

        def customer_returns():
            barrier.wait()
            return Client().get(f"{order.get_absolute_url()}?payment={payment.key}").status_code

        def provider_calls():
            barrier.wait()
            return gateway.webhook(Client(), payment)

        def reconciliation():
            barrier.wait()
            return payments_reconcile(now=timezone.now() + timedelta(hours=3))

        settlers = [in_thread(fn) for fn in (customer_returns, provider_calls, reconciliation)]
        returned, webhook, _ = (future.result(timeout=WAIT * 2) for future in settlers)

        assert returned == 302 and webhook == 200
        order.refresh_from_db()
        payment.refresh_from_db()
        assert order.status == OrderStatus.PAID and order.events.filter(to_status=OrderStatus.PAID).count() == 1
        assert payment.state == Payment.State.SUCCEEDED and not payment.refund_due
        assert gateway.charges() == [(str(payment.key), False)], "one charge at the provider, kept"
        assert order.messages.filter(kind="order_paid").count() == 1
    finally:
        gateway.fake.stop()


def test_status_queries_at_once_are_all_counted(order_for, monkeypatch):
    """Each settler holds its own (stale) copy of the payment; the counter is incremented in the database."""
    gateway = gateway_start("stripe", monkeypatch)
    try:
        order = order_for(gateway.provider)
        payment_start(order, gateway.provider, return_url=RETURN)
        copies = [Payment.objects.select_related("provider", "order").get(order=order) for _ in range(4)]
        barrier = threading.Barrier(len(copies))

        def ask(copy):
            barrier.wait()
            return payment_confirm(copy).state

        states = [future.result(timeout=WAIT) for future in [in_thread(lambda c=c: ask(c)) for c in copies]]
        assert states == [Payment.State.PENDING] * 4
        assert Payment.objects.get(order=order).checks == 4
    finally:
        gateway.fake.stop()


def test_two_payments_succeeding_at_once_pay_the_order_once_and_refund_the_other(order_for, monkeypatch):
    """Two tabs, both paid: whichever is recorded second sees the first (the order row lock) and is refunded."""
    gateway = gateway_start("stripe", monkeypatch)
    try:
        order = order_for(gateway.provider)
        first, second = (payment_start(order, gateway.provider, return_url=RETURN) for _ in range(2))
        gateway.pay(first.url)
        gateway.pay(second.url)
        one, two = order.payments.order_by("pk")

        refund_one, other = overlapped(lambda: payment_record_success(one), lambda: _record(two))
        refund_two = other.result(timeout=WAIT)

        assert (refund_one, refund_two) == (False, True)
        order.refresh_from_db()
        assert order.status == OrderStatus.PAID and order.events.filter(to_status=OrderStatus.PAID).count() == 1
        assert list(order.payments.order_by("pk").values_list("refund_due", flat=True)) == [False, True]
    finally:
        gateway.fake.stop()


def _record(payment):
    with transaction.atomic():
        return payment_record_success(payment)


def test_a_payment_started_while_another_is_being_recorded_is_refused(order_for, monkeypatch):
    """The customer presses Pay again at the moment the first payment is recorded: the start waits for the order
    row and then sees the order paid. No second session is opened at the provider."""
    gateway = gateway_start("stripe", monkeypatch)
    try:
        order = order_for(gateway.provider)
        redirect = payment_start(order, gateway.provider, return_url=RETURN)
        gateway.pay(redirect.url)
        paid = order.payments.get()
        sessions = len(gateway.fake.sessions)

        _, other = overlapped(lambda: payment_record_success(paid),
                              lambda: payment_start(order, gateway.provider, return_url=RETURN))

        with pytest.raises(PaymentNotAllowed):
            other.result(timeout=WAIT)
        assert len(gateway.fake.sessions) == sessions and order.payments.count() == 1
        order.refresh_from_db()
        assert order.status == OrderStatus.PAID
    finally:
        gateway.fake.stop()
