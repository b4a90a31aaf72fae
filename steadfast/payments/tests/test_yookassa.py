"""The YooKassa adapter against the YooKassa fake over real HTTP, through providers.call()."""

import json
import socket
import uuid
from decimal import Decimal
from functools import partial

import httpx
import pytest
from django.test import RequestFactory

from steadfast.fakes.yookassa import FakeYooKassa
from steadfast.money import Money
from steadfast.payments.interface import PaymentState, StartRequest, WebhookRejected
from steadfast.providers.call import call
from steadfast.providers.errors import (
    Declined,
    IdempotencyConflict,
    Indeterminate,
    Misconfigured,
    Rejected,
    Unavailable,
)
from steadfast.providers.models import Attempt, Provider
from steadfast.providers.probes import providers_probe
from steadfast.providers.registry import adapter_for
from steadfast.providers.secrets import provider_secret_env

pytestmark = pytest.mark.django_db
RETURN_URL = "http://127.0.0.1:8000/checkout/return/SF-2001/"
RUB = partial(Money, currency="RUB")


@pytest.fixture
def fake():
    fake = FakeYooKassa(shop_id="100500", secret_key="test_secret_1").start()
    yield fake
    fake.stop()


@pytest.fixture
def provider(fake, monkeypatch):
    code = f"yookassa-{uuid.uuid4().hex[:8]}"
    for name, value in {"SHOP_ID": "100500", "SECRET_KEY": "test_secret_1"}.items():
        monkeypatch.setenv(provider_secret_env(code, name), value)
    return Provider.objects.create(kind=Provider.Kind.PAYMENT, code=code, adapter="yookassa", name="YooKassa",
                                   config={"api_base": fake.url, "connect_timeout": 1, "read_timeout": 0.5})


def run(provider, operation, method, *args):
    return call(provider, operation, partial(getattr(adapter_for(provider), method), *args), reference="SF-2001")


def parse(provider, request):
    """What the webhook view does with a delivery."""
    return adapter_for(provider).parse_webhook(request.body, request.headers)


def start(provider, key, amount="1500.00"):
    request = StartRequest(idempotency_key=key, order_number="SF-2001", amount=RUB(Decimal(amount)),
                           email="ivan@example.com", return_url=RETURN_URL, cancel_url=RETURN_URL)
    return run(provider, "start", "start", request)


def confirm(redirect, action="pay") -> httpx.Response:
    """What the customer does on YooKassa's confirmation page."""
    page = httpx.get(redirect.url, trust_env=False)
    assert page.status_code == 200 and "Pay 1500.00 RUB" in page.text
    return httpx.post(redirect.url, data={"action": action}, trust_env=False)


def paid(fake, provider):
    key = str(uuid.uuid4())
    redirect = start(provider, key)
    confirm(redirect)
    return key, redirect.reference


def test_start_pay_and_status(fake, provider):
    key = str(uuid.uuid4())
    redirect = start(provider, key)

    assert redirect.url == f"{fake.url}/approve/{redirect.reference}"
    payment = fake.payments[redirect.reference]
    assert payment["amount"] == {"value": "1500.00", "currency": "RUB"}
    assert payment["metadata"]["payment_key"] == key
    assert run(provider, "status", "status", key, redirect.reference).state == PaymentState.PENDING

    back = confirm(redirect)
    assert (back.status_code, back.headers["Location"]) == (303, RETURN_URL)

    status = run(provider, "status", "status", key, redirect.reference)
    assert (status.state, status.amount, status.charge_reference) == (
        PaymentState.SUCCEEDED, RUB(Decimal("1500.00")), redirect.reference)
    assert len(fake.ledger.successful(key)) == 1
    assert set(Attempt.objects.filter(provider=provider).values_list("outcome", flat=True)) == {"ok"}


def test_idempotence_key_same_payment_and_conflict(fake, provider):
    key = str(uuid.uuid4())
    assert start(provider, key) == start(provider, key)
    assert len(fake.payments) == 1
    with pytest.raises(IdempotencyConflict, match="Idempotence"):  # the same key for another amount: our bug
        start(provider, key, amount="1.00")
    assert all(r.headers.get("Idempotence-Key") == key for r in fake.log if r.method == "POST")


def test_declined_on_the_page_fails_the_payment(fake, provider):
    key = str(uuid.uuid4())
    redirect = start(provider, key)
    confirm(redirect, "decline")

    assert run(provider, "status", "status", key, redirect.reference).state == PaymentState.FAILED
    assert fake.ledger.successful(key) == [] and len(fake.ledger.charges) == 1


def test_refused_at_creation_is_declined(fake, provider):
    fake.set_fault("decline", times=1)
    with pytest.raises(Declined, match="fraud_suspected"):
        start(provider, str(uuid.uuid4()))
    assert Attempt.objects.get(provider=provider).outcome == "declined"
    assert fake.ledger.successful() == []


@pytest.mark.parametrize("fault, options", [("status", {"status": 503}), ("status", {"status": 429}),
                                            ("status", {"status": 500}), ("malformed", {})])
def test_provider_trouble_is_unavailable(fake, provider, fault, options):
    fake.set_fault(fault, **options)
    with pytest.raises(Unavailable):
        start(provider, str(uuid.uuid4()))
    assert fake.payments == {}
    assert Attempt.objects.get(provider=provider).outcome == "unavailable"


def test_connection_refused_is_unavailable(provider):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    provider.config["api_base"] = f"http://127.0.0.1:{port}"
    with pytest.raises(Unavailable):
        start(provider, str(uuid.uuid4()))


@pytest.mark.parametrize("problem", ["wrong key", "no key"])
def test_bad_credentials_are_misconfigured(fake, provider, monkeypatch, problem):
    name = provider_secret_env(provider.code, "SECRET_KEY")
    if problem == "wrong key":
        monkeypatch.setenv(name, "test_not_the_key")
    else:
        monkeypatch.delenv(name)
    with pytest.raises(Misconfigured):
        start(provider, str(uuid.uuid4()))
    assert fake.payments == {} and fake.requests == (1 if problem == "wrong key" else 0)


def test_create_answer_lost_then_replay_and_pay_once(fake, provider):
    key = str(uuid.uuid4())
    fake.set_fault("reset_after", times=1)
    with pytest.raises(Indeterminate):
        start(provider, key)

    redirect = start(provider, key)  # the same Idempotence-Key finds the payment the lost answer was about
    assert list(fake.payments) == [redirect.reference]
    confirm(redirect)
    assert run(provider, "status", "status", key, redirect.reference).state == PaymentState.SUCCEEDED
    assert len(fake.ledger.successful(key)) == 1


@pytest.mark.parametrize("mode", ["reset_after", "hang_after"])
def test_refund_answer_lost_then_replay_refunds_once(fake, provider, mode):
    key, payment_id = paid(fake, provider)
    fake.set_fault(mode, times=1)
    with pytest.raises(Indeterminate):
        run(provider, "refund", "refund", payment_id, RUB(Decimal("1500.00")), f"{key}-refund")
    assert fake.ledger.successful(key)[0].refunded == Decimal("1500.00")  # made; only the answer was lost

    refund = run(provider, "refund", "refund", payment_id, RUB(Decimal("1500.00")), f"{key}-refund")
    assert refund.state == PaymentState.REFUNDED and list(fake.refunds) == [refund.reference]
    assert fake.ledger.successful(key)[0].refunded == Decimal("1500.00")
    assert run(provider, "status", "status", key, payment_id).state == PaymentState.REFUNDED


def test_partial_refund_and_too_much(fake, provider):
    key, payment_id = paid(fake, provider)
    refund = run(provider, "refund", "refund", payment_id, RUB(Decimal("500.00")), f"{key}-r1")
    assert (refund.state, refund.amount) == (PaymentState.REFUNDED, RUB(Decimal("500.00")))
    assert run(provider, "status", "status", key, payment_id).state == PaymentState.SUCCEEDED  # still partly paid
    with pytest.raises(Rejected, match="amount"):  # HTTP 400: our request is wrong, not the card, not YooKassa
        run(provider, "refund", "refund", payment_id, RUB(Decimal("1000.01")), f"{key}-r2")
    assert fake.ledger.successful(key)[0].refunded == Decimal("500.00")
    assert Attempt.objects.filter(provider=provider).latest("id").outcome == "invalid_request"


def test_probe(fake, provider):
    assert [r.outcome for r in providers_probe(provider.code)] == ["ok"]
    fake.set_fault("status", status=401)
    assert [r.outcome for r in providers_probe(provider.code)] == ["misconfigured"]


# --- notifications ------------------------------------------------------------------------------------------
def notification(note):
    body = note if isinstance(note, bytes) else json.dumps(note).encode()
    return RequestFactory().post("/payments/webhooks/yookassa/", data=body, content_type="application/json")


def test_genuine_notification(fake, provider):
    key, payment_id = paid(fake, provider)
    event = parse(provider, notification(fake.notification(payment_id)))
    assert (event.id, event.kind, event.reference, event.payment_key, event.status.state) == (
        f"{payment_id}:succeeded", "payment.succeeded", payment_id, key, PaymentState.SUCCEEDED)


def test_forged_success_for_an_unpaid_payment_yields_the_real_state(fake, provider):
    key = str(uuid.uuid4())
    redirect = start(provider, key)
    forged = fake.notification(redirect.reference, "payment.succeeded")
    forged["object"].update(status="succeeded", paid=True)

    event = parse(provider, notification(forged))

    assert event.status.state == PaymentState.PENDING  # what the API says, not what the sender claimed
    assert event.id == f"{redirect.reference}:pending"  # the real "succeeded" notification keeps its own id
    assert fake.log[-1].path == f"/v3/payments/{redirect.reference}"
    assert fake.ledger.successful() == []


@pytest.mark.parametrize("note", [
    b"not json", {"type": "notification"}, {"type": "notification", "event": "payment.succeeded", "object": []},
    {"type": "notification", "event": "payment.succeeded", "object": {"id": "../me"}},
    {"type": "notification", "event": "payment.succeeded", "object": {"id": "x" * 65}},
])
def test_unreadable_or_unknown_notifications_are_rejected(fake, provider, note):
    with pytest.raises(WebhookRejected):
        parse(provider, notification(note))
    assert not any(r.path == "/v3/me" for r in fake.log)


def test_refund_notification_reads_the_payment(fake, provider):
    key, payment_id = paid(fake, provider)
    refund = run(provider, "refund", "refund", payment_id, RUB(Decimal("1500.00")), f"{key}-refund")
    note = {"type": "notification", "event": "refund.succeeded", "object": fake.refunds[refund.reference]}
    event = parse(provider, notification(note))
    assert (event.id, event.reference, event.status.state) == (
        f"{payment_id}:succeeded:refunded-1500.00", payment_id, PaymentState.REFUNDED)


def test_notification_when_the_api_fails_raises_a_provider_error(fake, provider):
    _, payment_id = paid(fake, provider)
    request = notification(fake.notification(payment_id))
    fake.set_fault("hang")
    with pytest.raises(Indeterminate):
        parse(provider, request)
    fake.set_fault("status", status=502)
    with pytest.raises(Unavailable):
        parse(provider, request)
