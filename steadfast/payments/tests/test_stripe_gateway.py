"""The Stripe adapter against the Stripe fake over real HTTP: each fault ends as one of our four errors."""

import httpx
import pytest

from steadfast.money import Money
from steadfast.payments.gateways.stripe import StripeGateway
from steadfast.payments.interface import PaymentState, StartRequest
from steadfast.payments.tests.conftest import pay_on_fake
from steadfast.providers.breaker import breaker_reset
from steadfast.providers.call import call
from steadfast.providers.errors import Declined, Indeterminate, Misconfigured, Unavailable
from steadfast.providers.models import Attempt

pytestmark = pytest.mark.django_db


def start_request(key="k-1"):
    return StartRequest(idempotency_key=key, order_number="SF-000001", amount=Money("24.90", "EUR"),
                        email="ann@example.com", return_url="http://127.0.0.1/orders/t/?payment=k",
                        cancel_url="http://127.0.0.1/orders/t/?payment=k&cancelled=1")


def start(provider, key="k-1"):
    gateway = StripeGateway(provider)
    return call(provider, "start", lambda client: gateway.start(start_request(key), client), reference="SF-000001")


def status(provider, reference):
    gateway = StripeGateway(provider)
    return call(provider, "status", lambda client: gateway.status("k-1", reference, client))


def test_start_creates_a_checkout_session_and_payment_shows_in_status(stripe_provider, fake_stripe):
    redirect = start(stripe_provider)
    assert redirect.url.startswith(fake_stripe.url + "/pay/cs_test_")
    session = fake_stripe.sessions[redirect.reference]
    assert session["amount_total"] == 2490 and session["currency"] == "eur"
    assert session["metadata"] == {"payment_key": "k-1", "order": "SF-000001"}
    assert fake_stripe.log[-1].headers["Idempotency-Key"] == "k-1"
    assert status(stripe_provider, redirect.reference).state == PaymentState.PENDING

    pay_on_fake(fake_stripe, redirect.url)
    paid = status(stripe_provider, redirect.reference)
    assert paid.state == PaymentState.SUCCEEDED and paid.amount == Money("24.90", "EUR")
    assert paid.charge_reference == fake_stripe.charges()[0]["id"]


def test_same_idempotency_key_returns_the_same_session(stripe_provider, fake_stripe):
    first, again = start(stripe_provider), start(stripe_provider)
    assert first == again and len(fake_stripe.sessions) == 1
    assert start(stripe_provider, key="k-2").reference != first.reference


@pytest.mark.parametrize("fault, options, error", [
    ("decline", {}, Declined),
    ("status", {"status": 503}, Unavailable),
    ("status", {"status": 500}, Unavailable),
    ("status", {"status": 429}, Unavailable),
    ("status", {"status": 401}, Misconfigured),
    ("status", {"status": 403}, Misconfigured),
    ("malformed", {}, Unavailable),
    ("hang", {}, Indeterminate),
    ("reset", {}, Indeterminate),
    ("reset_after", {}, Indeterminate),
    ("hang_after", {}, Indeterminate),
])
def test_faults_become_our_errors(stripe_provider, fake_stripe, fault, options, error):
    fake_stripe.set_fault(fault, **options)
    with pytest.raises(error):
        start(stripe_provider)
    attempt = Attempt.objects.get(operation="start")
    assert attempt.outcome == {Declined: "declined", Unavailable: "unavailable", Misconfigured: "misconfigured",
                               Indeterminate: "indeterminate"}[error]


def test_connection_refused_is_unavailable(stripe_provider, fake_stripe):
    fake_stripe.stop()
    with pytest.raises(Unavailable):
        start(stripe_provider)


def test_wrong_secret_key_is_misconfigured_and_missing_key_too(stripe_provider, monkeypatch):
    monkeypatch.setenv("STEADFAST_STRIPE_SECRET_KEY", "sk_test_wrong")
    with pytest.raises(Misconfigured):
        start(stripe_provider)
    monkeypatch.delenv("STEADFAST_STRIPE_SECRET_KEY")
    breaker_reset(stripe_provider)  # the 401 opened it at once
    with pytest.raises(Misconfigured):
        start(stripe_provider)
    assert "sk_test_wrong" not in "".join(Attempt.objects.values_list("message", flat=True))


def test_reset_after_the_request_then_replay_with_the_same_key_finds_the_session(stripe_provider, fake_stripe):
    fake_stripe.set_fault("reset_after", times=1)
    with pytest.raises(Indeterminate):
        start(stripe_provider)
    assert len(fake_stripe.sessions) == 1  # the fake did make it
    again = start(stripe_provider)
    assert again.reference in fake_stripe.sessions and len(fake_stripe.sessions) == 1


def test_refund_and_probe(stripe_provider, fake_stripe):
    redirect = start(stripe_provider)
    pay_on_fake(fake_stripe, redirect.url)
    charge = status(stripe_provider, redirect.reference).charge_reference
    gateway = StripeGateway(stripe_provider)
    refund = lambda client: gateway.refund(charge, Money("24.90", "EUR"), "refund-k-1", client)  # noqa: E731
    assert call(stripe_provider, "refund", refund).state == PaymentState.REFUNDED
    call(stripe_provider, "refund", refund)  # replayed: the same refund, not a second one
    assert fake_stripe.charges()[0]["refunded"] == 2490 and len(fake_stripe.refunds) == 1
    call(stripe_provider, "probe", gateway.probe)


def test_sdk_sends_through_the_call_client_with_its_timeouts(stripe_provider, fake_stripe):
    fake_stripe.set_fault("slow", ms=2000)  # read timeout is 0.5 s: the SDK's default 80 s must not apply
    with pytest.raises(Indeterminate):
        start(stripe_provider)
    assert isinstance(Attempt.objects.get().error_class, str)
    assert Attempt.objects.get().error_class == "ReadTimeout"
    assert httpx  # the transport error reached call() unwrapped
