"""Journeys from the fault drill (issue 8), against the fakes over real HTTP: what the customer is offered after
each failure, and what the fakes' own ledgers hold: a garbled capture, an online success beside a waiting offline
payment, reservations that must not cancel an order being confirmed, page views that move no money."""

import contextlib
from datetime import timedelta

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from steadfast.fakes.server import FakeResponse
from steadfast.orders.models import OrderStatus
from steadfast.orders.services import orders_expire_reservations
from steadfast.payments.followup import payment_recheck
from steadfast.payments.models import Payment
from steadfast.payments.reconcile import payments_reconcile
from steadfast.payments.services import PaymentFailed, payment_start
from steadfast.payments.tests import matrix
from steadfast.payments.tests.matrix import RETURN, CapturingPayPal, Gateway, gateway_start, returned
from steadfast.providers.models import Provider

pytestmark = pytest.mark.django_db
order_for = matrix.order_for  # the fixture: an order for one provider


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
