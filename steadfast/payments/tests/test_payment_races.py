"""One payment, several settlers at once: real threads, each with its own database connection, against the fakes
over real HTTP. Money is checked against the fakes' own ledgers.

- The customer's return, the provider's webhook and the reconciliation job settle one paid attempt at the same
  moment: the order is paid once, one charge is kept, nothing is refunded.
- Two settlers that overlap in time are made to overlap for certain (steadfast/overlap.py: the first holds its
  transaction open until the second is finished or waits for a row lock). Removing select_for_update from
  payment_start or payment_record_success makes these fail on PostgreSQL.
"""

import threading
from dataclasses import replace
from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from steadfast.orders.models import OrderStatus
from steadfast.overlap import in_thread, overlapped
from steadfast.payments.models import Payment
from steadfast.payments.reconcile import payments_reconcile
from steadfast.payments.services import PaymentNotAllowed, payment_confirm, payment_record_success, payment_start
from steadfast.payments.tests.matrix import gateway_start
from steadfast.testing import WAIT_SECONDS

race_db = pytest.mark.django_db(transaction=True)
pytestmark = race_db
RETURN = "http://testserver/orders/x/"
WAIT = WAIT_SECONDS


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
