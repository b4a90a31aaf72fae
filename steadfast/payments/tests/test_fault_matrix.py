"""Fault matrix: every fault × every step × every gateway, against the fakes over real HTTP.

One journey per case: start the payment, the customer pays on the hosted page, then the shop learns of it through
one step — the customer's return (status query), the provider's webhook, or the reconciliation job. The fault is
armed at the fake while exactly one step runs (for "start" the customer then pays and returns normally).
After the step the order must be in the expected state and no order may hold two live charges; a customer who was
offered other methods tries once more where the same method is still offered. Then the fault is cleared and the
reconciliation job runs: every charge at the fake belongs to a paid order, at most one per order is kept (the
extra refunded), nothing stays "confirming", and a second run changes nothing.
"""

import contextlib
from dataclasses import replace
from datetime import timedelta

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from steadfast.fakes.server import FakeResponse
from steadfast.orders.models import OrderStatus
from steadfast.orders.services import orders_expire_reservations
from steadfast.payments import routing
from steadfast.payments.followup import payment_recheck
from steadfast.payments.interface import Redirect
from steadfast.payments.models import Payment
from steadfast.payments.reconcile import payments_reconcile
from steadfast.payments.services import PaymentFailed, payment_start
from steadfast.payments.tests.matrix import FAULTS, GATEWAYS, STEPS, CapturingPayPal, Gateway, gateway_start
from steadfast.providers.models import Provider

pytestmark = pytest.mark.django_db
RETURN = "http://testserver/orders/x/"
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


@pytest.fixture
def order_for(make_variant, details):
    variant = make_variant(stock=10, price="20.00")

    def make(provider):
        from steadfast.checkout.services import order_place

        order, _ = order_place(lines=[(variant.pk, 1)], details=replace(details, payment_method=provider.code),
                               idempotency_key=f"matrix-{provider.code}")
        return order

    return make


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


def returned(client, order, payment):
    """The provider sends the customer back: the return is settled, then the plain order page is shown."""
    back = client.get(f"{order.get_absolute_url()}?payment={payment.key}")
    assert back.status_code == 302 and back["Location"] == order.get_absolute_url()


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


# --- Journeys from the fault drill (issue 8): what the customer is offered, what the fakes' ledgers hold ---------
class GarbledCapturePayPal(CapturingPayPal):
    """Takes the money at the capture, then answers it with a proxy's error page: the charge is made, the answer is
    useless (the drill's "PayPal captured, the answer was garbage")."""

    garble = False

    def handle(self, request):
        response = super().handle(request)
        if self.garble and request.method == "POST" and request.path.endswith("/capture"):
            return FakeResponse(502 if response.status < 300 else response.status, b"<html>Bad gateway</html>",
                                {"Content-Type": "text/html"})
        return response


def _paypal_with(fake_class, monkeypatch) -> Gateway:
    gateway = gateway_start("paypal", monkeypatch)
    gateway.fake.stop()
    gateway.fake = fake_class().start()
    gateway.provider.config["api_base"] = gateway.fake.url
    gateway.provider.save(update_fields=["config"])
    return gateway


@contextlib.contextmanager
def _on_commit():
    """Run what the code defers to the commit (the test's own transaction never commits)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        yield


def _page(client, order) -> str:
    return client.get(order.get_absolute_url()).content.decode()


def test_a_capture_answered_with_garbage_keeps_the_order_confirming_and_no_other_way_to_pay(order_for, client,
                                                                                           monkeypatch):
    gateway = _paypal_with(GarbledCapturePayPal, monkeypatch)
    try:
        order = order_for(gateway.provider)
        redirect = payment_start(order, gateway.provider, return_url=RETURN)
        gateway.pay(redirect.url)
        payment = order.payments.get()
        gateway.fake.garble = True
        returned(client, order, payment)

        assert [(key, refunded) for key, refunded in gateway.charges()] == [(str(payment.key), False)]
        payment.refresh_from_db()
        assert payment.state == Payment.State.UNKNOWN, "a charge was made; the shop must not call it nothing"
        page = _page(client, order)
        assert "Confirming your payment" in page and 'value="cash_on_delivery"' not in page
        answer = client.post(reverse("payments:order_pay", args=[order.token]), {"method": "cash_on_delivery"})
        assert answer.status_code == 302 and not order.payments.filter(provider__code="cash_on_delivery").exists()

        gateway.fake.garble = False
        payment_recheck(payment.pk)  # the worker's quick re-check
        order.refresh_from_db()
        assert order.status == OrderStatus.PAID and order.payment_method == gateway.provider.code
        assert gateway.charges() == [(str(payment.key), False)]  # one charge, kept
    finally:
        gateway.fake.stop()


def test_an_online_success_never_marks_a_waiting_cash_on_delivery_attempt_paid(order_for, client, monkeypatch):
    """The card was paid on the provider's page, the customer did not come back and chose cash on delivery; the
    card's success arrives later: the order is paid by card, and the cash attempt is withdrawn, not "succeeded"."""
    gateway = gateway_start("stripe", monkeypatch)
    try:
        order = order_for(gateway.provider)
        redirect = payment_start(order, gateway.provider, return_url=RETURN)
        gateway.pay(redirect.url)
        card = order.payments.get()
        cod = Provider.objects.get(code="cash_on_delivery")
        payment_start(order, cod, return_url=RETURN)
        assert gateway.webhook(client, card) == 200

        order.refresh_from_db()
        cash = order.payments.get(provider=cod)
        assert cash.state == Payment.State.CANCELLED, "cash never collected must not count as paid"
        assert order.status == OrderStatus.PAID and order.payment_method == gateway.provider.code
        assert [refunded for _, refunded in gateway.charges()] == [False]
    finally:
        gateway.fake.stop()


@pytest.mark.parametrize("offline", ["cash_on_delivery", "bank_transfer"])
def test_an_offline_method_after_a_failed_card_is_not_cancelled_by_the_cards_reservation(order_for, client,
                                                                                         monkeypatch, offline):
    gateway = gateway_start("stripe", monkeypatch)
    try:
        order = order_for(gateway.provider)
        gateway.arm("503")
        with pytest.raises(PaymentFailed):
            payment_start(order, gateway.provider, return_url=RETURN)
        gateway.clear()
        client.post(reverse("payments:order_pay", args=[order.token]), {"method": offline})
        order.refresh_from_db()
        assert order.status == OrderStatus.AWAITING_OFFLINE_PAYMENT
        later = timezone.now() + timedelta(days=1)
        assert orders_expire_reservations(now=later) == 0
        order.refresh_from_db()
        assert order.status == OrderStatus.AWAITING_OFFLINE_PAYMENT
        if offline == "bank_transfer":  # the one offline method with a deadline of its own
            assert order.reserved_until > later
        else:
            assert order.reserved_until is None
    finally:
        gateway.fake.stop()


def test_reservation_expiry_never_cancels_an_order_being_confirmed(order_for, client, monkeypatch):
    gateway = gateway_start("stripe", monkeypatch)
    try:
        order = order_for(gateway.provider)
        redirect = payment_start(order, gateway.provider, return_url=RETURN)
        gateway.pay(redirect.url)
        gateway.arm("503")
        returned(client, order, order.payments.get())  # back from the provider; the status query fails
        assert orders_expire_reservations(now=order.reserved_until + timedelta(minutes=5)) == 0
        gateway.clear()
        payments_reconcile()
        order.refresh_from_db()
        assert order.status == OrderStatus.PAID and gateway.charges()[0][1] is False  # fulfilled, not refunded
    finally:
        gateway.fake.stop()


def test_page_views_move_no_money_the_return_does(order_for, client, monkeypatch):
    """Opening the order page (a prefetcher, a crawler, the page's own refresh) never calls the provider; the
    customer's return from PayPal captures."""
    gateway = gateway_start("paypal", monkeypatch)
    try:
        order = order_for(gateway.provider)
        redirect = payment_start(order, gateway.provider, return_url=RETURN)
        gateway.pay(redirect.url)
        payment = order.payments.get()
        seen = gateway.fake.requests
        for _ in range(3):
            assert "Pay for your order" in _page(client, order)
        Payment.objects.filter(pk=payment.pk).update(  # and while confirming, asked last a minute ago
            state=Payment.State.UNKNOWN, updated_at=timezone.now() - timedelta(minutes=1))
        assert "Confirming your payment" in _page(client, order)
        assert gateway.fake.requests == seen and gateway.charges() == []
        Payment.objects.filter(pk=payment.pk).update(state=Payment.State.PENDING)

        returned(client, order, payment)
        order.refresh_from_db()
        assert order.status == OrderStatus.PAID and gateway.charges() == [(str(payment.key), False)]
    finally:
        gateway.fake.stop()


def test_a_confirming_payment_is_asked_again_within_seconds(order_for, client, monkeypatch, settings):
    from huey.contrib.djhuey import HUEY

    monkeypatch.setattr(HUEY, "immediate", True)  # an in-memory queue this test can read
    gateway = gateway_start("stripe", monkeypatch)
    try:
        order = order_for(gateway.provider)
        redirect = payment_start(order, gateway.provider, return_url=RETURN)
        gateway.pay(redirect.url)
        payment = order.payments.get()
        gateway.arm("503")
        before = timezone.now()
        with _on_commit():
            returned(client, order, payment)
        queued = [task for task in HUEY.scheduled() if task.name.endswith("payment_recheck_task")]
        assert len(queued) == 1 and queued[0].args == (payment.pk, 0), queued
        wait = queued[0].eta.replace(tzinfo=None) - before.replace(tzinfo=None)
        assert timedelta(0) < wait <= timedelta(seconds=10), wait  # seconds, not the 2/5/15/60 minutes of old
        gateway.clear()
        queued[0].execute()  # what the worker runs when the eta comes
        order.refresh_from_db()
        assert order.status == OrderStatus.PAID
    finally:
        gateway.fake.stop()
