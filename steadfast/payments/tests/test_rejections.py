""""This request is wrong" (errors.Rejected): a refusal caused by our data for one order, per gateway, against the
fakes over real HTTP. Not the provider's health (the breaker stays closed, the method stays on offer for other
orders), not the customer's card; staff are alerted when it repeats, at once for an idempotency conflict."""

import uuid
from decimal import Decimal
from functools import partial

import pytest
from django.core import mail

from steadfast.fakes.paypal import FakePayPal
from steadfast.fakes.yookassa import FakeYooKassa
from steadfast.money import Money
from steadfast.notify.delivery import outbox_deliver
from steadfast.notify.models import OutboxMessage
from steadfast.payments import routing
from steadfast.payments.models import Payment
from steadfast.payments.refusals import refusal
from steadfast.payments.services import PaymentFailed, payment_start
from steadfast.payments.tests.test_stripe_gateway import start as stripe_start
from steadfast.payments.tests.test_stripe_gateway import start_request
from steadfast.providers.call import call
from steadfast.providers.errors import Declined, IdempotencyConflict, Rejected
from steadfast.providers.health import window_stats
from steadfast.providers.models import Attempt, HealthEvent, Provider
from steadfast.providers.registry import adapter_for
from steadfast.providers.secrets import provider_secret_env
from steadfast.providers.selectors import provider_state

pytestmark = pytest.mark.django_db
RETURN = "http://testserver/orders/x/"


@pytest.fixture(autouse=True)
def staff(settings):
    settings.STAFF_ALERT_EMAILS = ["ops@example.com"]


def staff_problems():
    return list(OutboxMessage.objects.filter(kind="staff_problem").values_list("payload", flat=True))


def run(provider, operation, method, *args):
    return call(provider, operation, partial(getattr(adapter_for(provider), method), *args), reference="SF-1")


def assert_still_healthy(provider):
    assert provider_state(provider) == "closed", "a wrong request must not take the provider out"
    assert not HealthEvent.objects.filter(provider=provider).exists()
    assert window_stats(provider, provider.attempts.earliest("created_at").created_at).failures == 0


@pytest.fixture
def yookassa(monkeypatch):
    fake = FakeYooKassa(shop_id="100500", secret_key="test_secret_1").start()
    for name, value in {"SHOP_ID": "100500", "SECRET_KEY": "test_secret_1"}.items():
        monkeypatch.setenv(provider_secret_env("yookassa", name), value)
    provider = Provider.objects.create(kind="payment", code="yookassa", adapter="yookassa", name="YooKassa",
                                       priority=50, config={"api_base": fake.url, "read_timeout": 0.5})
    yield fake, provider
    fake.stop()


@pytest.fixture
def paypal(monkeypatch):
    fake = FakePayPal(client_id="client-1", client_secret="secret-1", webhook_id="WH-TEST-1").start()
    for name, value in {"CLIENT_ID": "client-1", "CLIENT_SECRET": "secret-1", "WEBHOOK_ID": "WH-TEST-1"}.items():
        monkeypatch.setenv(provider_secret_env("paypal", name), value)
    provider = Provider.objects.create(kind="payment", code="paypal", adapter="paypal", name="PayPal",
                                       config={"api_base": fake.url, "read_timeout": 0.5})
    yield fake, provider
    fake.stop()


def test_stripe_invalid_request_is_rejected_never_an_outage_and_staff_hear_when_it_repeats(stripe_provider,
                                                                                           fake_stripe):
    for _attempt in range(6):  # a refund of a payment intent Stripe does not know: 404 invalid_request_error
        with pytest.raises(Rejected, match="InvalidRequestError"):
            run(stripe_provider, "refund", "refund", "pi_unknown", Money(Decimal("1.00"), "EUR"), str(uuid.uuid4()))
    assert set(Attempt.objects.values_list("outcome", flat=True)) == {"invalid_request"}
    assert_still_healthy(stripe_provider)
    assert stripe_start(stripe_provider).url.startswith(fake_stripe.url)  # customers can still pay by card
    problems = staff_problems()
    assert len(problems) == 1 and problems[0]["code"] == "stripe", problems  # one alert per window, after 3
    assert "refused as wrong" in problems[0]["title"]


def test_a_single_rejection_alerts_nobody(stripe_provider):
    with pytest.raises(Rejected):
        run(stripe_provider, "refund", "refund", "pi_unknown", Money(Decimal("1.00"), "EUR"), "k")
    assert staff_problems() == []


def test_stripe_idempotency_conflict_alerts_staff_at_once_and_is_no_outage(stripe_provider, fake_stripe):
    stripe_start(stripe_provider, key="k-9")
    gateway = adapter_for(stripe_provider)
    other = start_request("k-9").__class__(**{**start_request("k-9").__dict__, "description": "Zamówienie"})
    with pytest.raises(IdempotencyConflict):
        call(stripe_provider, "start", partial(gateway.start, other), reference="SF-000001")
    assert Attempt.objects.latest("id").outcome == "invalid_request"
    assert_still_healthy(stripe_provider)
    problems = staff_problems()
    assert len(problems) == 1 and "idempotency conflict" in problems[0]["title"]
    assert len(fake_stripe.sessions) == 1
    # What staff receive: one e-mail that says what and where, and that a retry will not fix it.
    assert outbox_deliver(OutboxMessage.objects.get(kind="staff_problem").pk)
    (email,) = mail.outbox
    assert email.to == ["ops@example.com"] and email.subject.startswith("[Card (Stripe)] needs a look")
    assert "idempotency conflict" in email.body and "not a retry" in email.body and "SF-000001" in email.body


def test_yookassa_400_at_start_is_rejected_order_kept_method_greyed_for_this_order_only(yookassa, card_order):
    fake, provider = yookassa
    order = card_order()
    fake.set_fault("status", status=400, times=1)
    with pytest.raises(PaymentFailed) as failed:
        payment_start(order, provider, return_url=RETURN)
    assert failed.value.decision.outcome == "rejected" and failed.value.decision.offer_others
    payment = Payment.objects.get(order=order)
    assert (payment.state, payment.failure) == (Payment.State.FAILED, Payment.Failure.REJECTED)
    assert routing.payment_methods(order).find("yookassa") is None  # not this order again: it would be refused
    assert routing.payment_methods(order).find("stripe") is not None
    assert routing.payment_methods(card_order()).find("yookassa") is not None  # other orders: YooKassa works
    assert_still_healthy(provider)


def test_yookassa_unknown_payment_refund_is_rejected_not_declined(yookassa):
    fake, provider = yookassa
    with pytest.raises(Rejected, match="HTTP 400"):
        run(provider, "refund", "refund", str(uuid.uuid4()), Money(Decimal("5.00"), "RUB"), str(uuid.uuid4()))
    assert Attempt.objects.get().outcome == "invalid_request"
    assert_still_healthy(provider)


@pytest.mark.parametrize("fault, status", [("status", 400), ("status", 422), ("unknown capture", 404)])
def test_paypal_400_404_422_are_rejected(paypal, fault, status):
    fake, provider = paypal
    run(provider, "probe", "probe")  # an access token first: the fault is for the refund itself
    if fault == "status":
        fake.set_fault("status", status=status, times=1)
    with pytest.raises(Rejected, match=f"HTTP {status}"):
        run(provider, "refund", "refund", "CAPTURE-UNKNOWN", Money(Decimal("5.00"), "EUR"), str(uuid.uuid4()))
    assert Attempt.objects.filter(operation="refund").get().outcome == "invalid_request"
    assert_still_healthy(provider)
    run(provider, "probe", "probe")  # PayPal still answers (raises otherwise)


def test_the_one_table_keeps_paypal_declines_declined():
    assert isinstance(refusal("paypal", 422, "INSTRUMENT_DECLINED"), Declined)
    assert isinstance(refusal("paypal", 422, "ORDER_NOT_APPROVED"), Rejected)
    assert isinstance(refusal("stripe", 402, "card_error"), Declined)
    assert type(refusal("yookassa", 409)).__name__ == "Unavailable"
