"""A replayed start sends byte-identical parameters under the same key, whoever replays it and in whatever language;
a payment nobody can confirm is handed to staff after a bound instead of waiting (and querying) forever.
Against the Stripe fake over real HTTP: its idempotency check compares the raw request bodies, as Stripe does.

A start whose answers are lost leaves the customer free at once (the hosted page never reached them); the session the
gateway made is then found by replaying the start under its key in the background and closed (followup.py). That
background replay is what must be byte-identical."""

from datetime import timedelta
from urllib.parse import unquote_plus

import pytest
from django.utils import translation

from steadfast.notify.models import OutboxMessage
from steadfast.orders.models import OrderStatus
from steadfast.payments import routing
from steadfast.payments.followup import payment_returned
from steadfast.payments.models import Payment
from steadfast.payments.reconcile import payments_reconcile
from steadfast.payments.services import PaymentFailed, payment_start
from steadfast.providers.errors import ProviderError
from steadfast.providers.models import Attempt, HealthEvent
from steadfast.providers.selectors import provider_state

pytestmark = pytest.mark.django_db
RETURN = "http://testserver/orders/x/"


@pytest.fixture(autouse=True)
def staff(settings):
    settings.STAFF_ALERT_EMAILS = ["ops@example.com"]


def lost_start_in(language, card_order, fake_stripe, stripe_provider):
    """A customer browsing in `language` starts paying by card; Stripe makes the session, both answers are lost."""
    order = card_order()
    fake_stripe.set_fault("reset_after", times=1 + routing.QUICK_CHECKS)
    with translation.override(language), pytest.raises(PaymentFailed):
        payment_start(order, stripe_provider, return_url=RETURN)
    payment = Payment.objects.get(order=order)
    assert (payment.state, payment.expire_due, payment.reference) == (Payment.State.FAILED, True, ""), payment
    assert len(fake_stripe.sessions) == 1
    return order, payment


@pytest.mark.parametrize("language, description", [("pl", "Zamówienie"), ("ru", "Заказ")])
def test_a_lost_start_is_replayed_identically_by_the_english_worker(card_order, fake_stripe, stripe_provider,
                                                                    language, description):
    order, payment = lost_start_in(language, card_order, fake_stripe, stripe_provider)
    with translation.override("en"):  # the reconciliation worker
        counts = payments_reconcile()
    payment.refresh_from_db()
    session = next(iter(fake_stripe.sessions.values()))
    assert counts["closed"] == 1 and counts["given_up"] == 0 and counts["failed"] == 0, counts
    assert (payment.state, payment.reference, payment.expire_due) == (Payment.State.FAILED, session["id"], False)
    assert session["status"] == "expired", session  # closed: nobody can pay on it later
    assert len(fake_stripe.sessions) == 1  # the replay found the session the lost answer was about
    creates = [r.body for r in fake_stripe.log if r.method == "POST" and r.path == "/v1/checkout/sessions"]
    assert len(creates) == 3 and len(set(creates)) == 1, "every send of the start must be byte-identical"
    assert description in unquote_plus(creates[0].decode())  # the customer's language, kept
    assert not Attempt.objects.filter(outcome="invalid_request").exists()
    assert provider_state(stripe_provider) == "closed"


def test_a_replay_the_provider_refuses_is_handed_to_staff_at_once_not_an_outage(card_order, fake_stripe,
                                                                                stripe_provider):
    """A payment started before requests were stored: rebuilt in English, Stripe refuses the reused key. Closing
    its session can never succeed: handed to staff once, never asked again, never an outage."""
    order, payment = lost_start_in("pl", card_order, fake_stripe, stripe_provider)
    Payment.objects.filter(pk=payment.pk).update(start_request=None)
    with translation.override("en"):
        counts = payments_reconcile()
        sent = fake_stripe.requests
        again = payments_reconcile()
    payment.refresh_from_db()
    assert counts["given_up"] == 1 and counts["failed"] == 0 and not any(again.values()), (counts, again)
    assert fake_stripe.requests == sent, "a refused replay must not be sent again"
    assert (payment.state, payment.expire_due) == (Payment.State.FAILED, False), payment
    assert "idempotency" in payment.error.lower() or "Keys for idempotent" in payment.error, payment.error
    assert order.events.filter(kind="payment_unresolved").count() == 1
    titles = sorted(p["title"] for p in OutboxMessage.objects.filter(kind="staff_problem").values_list(
        "payload", flat=True))
    assert len(titles) == 2 and any("idempotency" in t for t in titles), titles
    assert any("could not be closed" in t for t in titles), titles
    assert provider_state(stripe_provider) == "closed" and not HealthEvent.objects.exists()
    assert not routing.start_refusal(order)  # the customer may pay another way
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT


def test_an_unknown_payment_is_given_up_after_the_bound_without_asking_again(card_order, fake_stripe,
                                                                              stripe_provider):
    """The customer came back from the card page (confirming) and the provider stays down for hours."""
    order = card_order()
    payment_start(order, stripe_provider, return_url=RETURN)
    payment = Payment.objects.get(order=order)
    fake_stripe.set_fault("status", status=503)  # the provider stays down
    with pytest.raises(ProviderError):
        payment_returned(payment)
    payment.refresh_from_db()
    assert payment.state == Payment.State.UNKNOWN, payment
    assert payments_reconcile()["failed"] == 1
    payment.refresh_from_db()
    assert payment.state == Payment.State.UNKNOWN
    later = payment.created_at + routing.UNKNOWN_GIVE_UP + timedelta(minutes=1)
    assert payments_reconcile(now=later)["given_up"] == 0  # old enough, but asked only twice: asked again
    Payment.objects.filter(pk=payment.pk).update(checks=routing.UNKNOWN_GIVE_UP_CHECKS)  # a run a minute, for hours
    sent = fake_stripe.requests
    assert payments_reconcile(now=later)["given_up"] == 1
    payment.refresh_from_db()
    assert (payment.state, payment.failure) == (Payment.State.FAILED, Payment.Failure.UNAVAILABLE)
    assert fake_stripe.requests == sent
    assert OutboxMessage.objects.filter(kind="staff_problem", recipient="ops@example.com").count() == 1
    assert order.events.filter(kind="payment_unresolved").count() == 1


def test_yookassa_lost_start_is_replayed_identically_too(card_order, monkeypatch):
    from steadfast.fakes.yookassa import FakeYooKassa
    from steadfast.providers.models import Provider

    fake = FakeYooKassa(shop_id="100500", secret_key="test_secret_1").start()
    try:
        monkeypatch.setenv("STEADFAST_YOOKASSA_SHOP_ID", "100500")
        monkeypatch.setenv("STEADFAST_YOOKASSA_SECRET_KEY", "test_secret_1")
        provider = Provider.objects.create(kind="payment", code="yookassa", adapter="yookassa", name="YooKassa",
                                           config={"api_base": fake.url, "read_timeout": 0.5})
        order = card_order()
        fake.set_fault("reset_after", times=1 + routing.QUICK_CHECKS)
        with translation.override("ru"), pytest.raises(PaymentFailed):
            payment_start(order, provider, return_url=RETURN)
        with translation.override("en"):
            assert payments_reconcile()["closed"] == 1
        payment = Payment.objects.get(order=order)
        assert payment.state == Payment.State.FAILED and payment.reference in fake.payments, payment
        # A pending one-step YooKassa payment cannot be withdrawn; it expires unpaid and is read again until then.
        assert fake.payments[payment.reference]["status"] == "pending" and payment.expire_due
        assert len(fake.payments) == 1 and fake.payments[payment.reference]["description"].startswith("Заказ")
        creates = [r.body for r in fake.log if r.method == "POST" and r.path == "/v3/payments"]
        assert len(creates) == 3 and len(set(creates)) == 1
        assert not Attempt.objects.filter(outcome="invalid_request").exists()
    finally:
        fake.stop()


def unknown_payment(card_order, stripe_provider) -> Payment:
    """A card payment "confirming": the customer came back and the provider could not say (as in the test above,
    whose 503s would open the breaker here and keep reconciliation from the provider altogether)."""
    payment_start(card_order(), stripe_provider, return_url=RETURN)
    payment = Payment.objects.latest("pk")
    Payment.objects.filter(pk=payment.pk).update(state=Payment.State.UNKNOWN, checks=routing.UNKNOWN_GIVE_UP_CHECKS)
    return payment


def test_payments_given_up_in_one_run_make_one_staff_alert_naming_every_order(card_order, stripe_provider):
    """A gateway outage: three payments give up in the same run. Staff get one alert listing the three orders,
    a repeat run sends nothing, and a payment giving up later makes its own alert."""
    payments = [unknown_payment(card_order, stripe_provider) for _ in range(3)]
    later = max(p.created_at for p in payments) + routing.UNKNOWN_GIVE_UP + timedelta(minutes=1)
    assert payments_reconcile(now=later)["given_up"] == 3
    assert payments_reconcile(now=later)["given_up"] == 0
    alerts = list(OutboxMessage.objects.filter(kind="staff_problem"))
    numbers = sorted(p.order.number for p in payments)
    assert len(alerts) == 1, [a.payload["title"] for a in alerts]
    assert alerts[0].payload["title"] == f"3 payments could not be confirmed: orders {', '.join(numbers)}"
    assert alerts[0].payload["reference"] == ", ".join(numbers) and alerts[0].recipient == "ops@example.com"
    assert all(p.order.events.filter(kind="payment_unresolved").count() == 1 for p in payments)

    fourth = unknown_payment(card_order, stripe_provider)
    assert payments_reconcile(now=later + routing.UNKNOWN_GIVE_UP)["given_up"] == 1
    titles = sorted(a.payload["title"] for a in OutboxMessage.objects.filter(kind="staff_problem"))
    assert len(titles) == 2 and f"payment for order {fourth.order.number} could not be confirmed" in titles
