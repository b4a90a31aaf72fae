"""Fault matrix: every fault × every step × every gateway, against the fakes over real HTTP.

One journey per case: start the payment, the customer pays on the hosted page, then the shop learns of it through
one step — the customer's return (status query), the provider's webhook, or the reconciliation job. The fault is
armed at the fake while exactly one step runs (for "start" the customer then pays and returns normally).
After the step the order must be in the expected state and no order may hold two live charges; a customer who was
offered other methods tries once more where the same method is still offered. Then the fault is cleared and the
reconciliation job runs: every charge at the fake belongs to a paid order, at most one per order is kept (the
extra refunded), nothing stays "confirming", and a second run changes nothing.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from steadfast.orders.models import OrderStatus
from steadfast.payments import routing
from steadfast.payments.interface import Redirect
from steadfast.payments.models import Payment
from steadfast.payments.reconcile import payments_reconcile
from steadfast.payments.services import PaymentFailed, payment_start
from steadfast.payments.tests import matrix
from steadfast.payments.tests.matrix import FAULTS, GATEWAYS, RETURN, STEPS, gateway_start, returned

pytestmark = pytest.mark.django_db
order_for = matrix.order_for  # the fixture: an order for one provider
LATER = timedelta(hours=3)  # past every status-query backoff (routing.RECHECK_BACKOFF)

PAID, OFFERED, CONFIRMING = "paid", "offered", "confirming"
FAILED_AT_PROVIDER = {"503": OFFERED, "429": OFFERED, "malformed": OFFERED}
ANSWER_LOST = {"hang": CONFIRMING, "reset": CONFIRMING}


def _expected_table():
    table = {}
    for gateway in GATEWAYS:
        # Start: a refused start keeps the order and offers other methods. An answer lost for good offers them too:
        # the customer never received the hosted page, so nothing can have been paid there (the session is closed
        # in the background by its key).
        declined_at_start = PAID if gateway == "paypal" else OFFERED  # PayPal refuses at the capture, not the create
        table.update({(f, "start", gateway): s for f, s in
                      {"ok": PAID, "decline": declined_at_start, **FAILED_AT_PROVIDER,
                       "hang": OFFERED, "reset": OFFERED}.items()})
        # The customer's return: they may have paid, so the order is confirming until the provider answers; a status
        # query that fails in any way keeps it confirming (never re-opens the choice of methods).
        declined_later = OFFERED if gateway == "paypal" else PAID
        table.update({(f, "confirm", gateway): s for f, s in
                      {"ok": PAID, "decline": declined_later, "503": CONFIRMING, "429": CONFIRMING,
                       "malformed": CONFIRMING, **ANSWER_LOST}.items()})
        # Reconciliation (the customer has not come back): a failed read changes nothing; only a capture whose answer
        # is lost (PayPal: the service captures the approved order) makes the order confirming.
        lost_read = CONFIRMING if gateway == "paypal" else OFFERED
        table.update({(f, "reconcile", gateway): s for f, s in
                      {"ok": PAID, "decline": declined_later, **FAILED_AT_PROVIDER,
                       "hang": lost_read, "reset": lost_read}.items()})
        # Webhook: Stripe's is verified by signature alone (no call); PayPal and YooKassa ask the provider, and a
        # provider that cannot answer gets a 503 (it sends the event again): the order waits, other methods offered.
        # PayPal's approval event is settled at once by a status query and the service's capture.
        for fault in FAULTS:
            if gateway == "stripe" or fault == "ok":
                state = PAID
            elif fault == "decline":
                state = declined_later
            elif gateway == "paypal" and fault in ANSWER_LOST:
                # The signature check passes; settling the approval captures, and that answer is lost.
                state = CONFIRMING
            else:
                state = OFFERED
            table[(fault, "webhook", gateway)] = state
    return table


EXPECTED = _expected_table()


def category(order) -> str:
    order.refresh_from_db()
    if order.status == OrderStatus.PAID:
        return PAID
    if routing.confirming(order):
        assert routing.start_refusal(order)  # no other charge while confirming
        return CONFIRMING
    assert order.status == OrderStatus.PENDING_PAYMENT and order.stock_reserved
    assert not routing.start_refusal(order)
    assert "bank_transfer" in [p.code for p in routing.payment_methods(order).available]
    return OFFERED


def assert_money(gateway, order, settled):
    charges = gateway.charges()
    payments = {str(p.key): p for p in Payment.objects.filter(order=order)}
    assert all(key in payments for key, _ in charges), "a charge at the fake with no payment in the shop"
    kept = [key for key, refunded in charges if not refunded]
    assert len(kept) <= 1, f"order charged twice: {charges}"
    if not settled:
        return
    order.refresh_from_db()
    assert (order.status == OrderStatus.PAID) == bool(kept)
    for key, refunded in charges:
        assert payments[key].state == (Payment.State.REFUNDED if refunded else Payment.State.SUCCEEDED)
        assert not payments[key].refund_due
    assert not order.payments.filter(state=Payment.State.UNKNOWN).exists(), "still confirming after reconciliation"


def run_step(step, fault, gateway, order, client):
    """Start (or not), the customer pays, then the shop hears of it through `step`, with the fault armed there."""
    if step == "start":
        return _start(gateway, order, client, fault=fault)
    redirect = payment_start(order, gateway.provider, return_url=RETURN)
    gateway.pay(redirect.url)
    payment = order.payments.get()
    gateway.arm(fault)
    try:
        if step == "confirm":
            returned(client, order, payment)
        elif step == "webhook":
            assert gateway.webhook(client, payment) in (200, 503)
        else:
            payments_reconcile(now=timezone.now() + LATER)
    finally:
        gateway.clear()


def _start(gateway, order, client, fault=None):
    """The customer pays (the fault armed during the start only); with a fault, the customer also returns."""
    if fault:
        gateway.arm(fault)
    try:
        result = payment_start(order, gateway.provider, return_url=RETURN)
    except PaymentFailed:
        return
    finally:
        gateway.clear()
    assert isinstance(result, Redirect)
    gateway.pay(result.url)
    if fault:
        returned(client, order, payment=order.payments.get(reference=result.reference))


@pytest.mark.parametrize("gateway_name", GATEWAYS)
@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("fault", list(FAULTS))
def test_fault_matrix(fault, step, gateway_name, order_for, client, monkeypatch):
    gateway = gateway_start(gateway_name, monkeypatch)
    try:
        order = order_for(gateway.provider)
        run_step(step, fault, gateway, order, client)

        assert category(order) == EXPECTED[(fault, step, gateway_name)]
        assert_money(gateway, order, settled=False)
        page = client.get(order.get_absolute_url())  # what the customer sees: never a 500
        assert page.status_code == 200
        if category(order) == CONFIRMING:  # and while confirming, no way to pay again
            text = page.content.decode()
            assert "Confirming your payment" in text and "Pay for your order" not in text, text

        if category(order) == OFFERED and gateway.provider in routing.payment_methods(order).available:
            _start(gateway, order, client)  # tries again; may charge a second time, never keeps it

        first = payments_reconcile(now=timezone.now() + LATER)
        assert_money(gateway, order, settled=True)
        again = payments_reconcile(now=timezone.now() + LATER * 2)
        assert again["resolved"] == again["refunded"] == again["failed"] == 0, (first, again)
        assert_money(gateway, order, settled=True)
        charged = any(not refunded for _, refunded in gateway.charges())
        assert category(order) == (PAID if charged else OFFERED)
    finally:
        gateway.fake.stop()
