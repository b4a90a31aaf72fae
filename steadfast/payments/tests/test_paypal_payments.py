"""The PayPal adapter's payment operations (start, capture, status, cancel, refund, probe) against the PayPal fake
over real HTTP, through providers.call(); its faults and what each becomes."""

import socket
import uuid
from decimal import Decimal

import httpx
import pytest

from steadfast.money import Money
from steadfast.payments.interface import PaymentState
from steadfast.payments.tests import paypalkit
from steadfast.payments.tests.paypalkit import RETURN_URL, approve, run, start
from steadfast.providers.errors import Declined, Indeterminate, Misconfigured, Rejected, Unavailable
from steadfast.providers.models import Attempt
from steadfast.providers.probes import providers_probe
from steadfast.providers.secrets import provider_secret_env

pytestmark = pytest.mark.django_db
fake, provider = paypalkit.fake, paypalkit.provider  # the fixtures (PayPal fake, a provider on it)


def test_start_approve_and_status_capture_once(fake, provider):
    key = str(uuid.uuid4())
    redirect = start(provider, key)

    assert redirect.url == f"{fake.url}/approve/{redirect.reference}"
    unit = fake.orders[redirect.reference]["purchase_units"][0]
    assert (unit["amount"], unit["custom_id"]) == ({"currency_code": "EUR", "value": "10.00"}, key)
    assert run(provider, "status", "status", key, redirect.reference).state == PaymentState.PENDING

    back = approve(redirect)
    assert back.status_code == 303
    assert back.headers["Location"] == f"{RETURN_URL}?token={redirect.reference}&PayerID=FAKEPAYER"

    # The status query only reads: approved, and no money taken until the service captures.
    assert run(provider, "status", "status", key, redirect.reference).state == PaymentState.APPROVED
    assert fake.ledger.successful(key) == [] and not any(r.path.endswith("/capture") for r in fake.log)
    status = run(provider, "capture", "capture", key, redirect.reference)
    assert status.state == PaymentState.SUCCEEDED and status.amount == Money(Decimal("10.00"), "EUR")
    assert status.charge_reference == fake.ledger.successful(key)[0].reference
    assert run(provider, "status", "status", key, redirect.reference).state == PaymentState.SUCCEEDED
    assert len(fake.ledger.successful(key)) == 1
    assert [r.path for r in fake.log].count("/v1/oauth2/token") == 1  # the token is reused, not fetched per call
    assert set(Attempt.objects.filter(provider=provider).values_list("outcome", flat=True)) == {"ok"}


def test_the_same_key_gives_the_same_order(fake, provider):
    key = str(uuid.uuid4())
    assert start(provider, key) == start(provider, key)
    assert len(fake.orders) == 1


def test_a_token_revoked_early_fails_the_call_once_then_is_replaced(fake, provider):
    """No retry inside the adapter: the refused call is Unavailable (not Misconfigured: the key is fine), the
    cached token is forgotten, and the next call fetches a new one."""
    key = str(uuid.uuid4())
    redirect = start(provider, key)
    fake.tokens.clear()

    with pytest.raises(Unavailable, match="cached access token"):
        run(provider, "status", "status", key, redirect.reference)
    assert [r.path for r in fake.log].count(f"/v2/checkout/orders/{redirect.reference}") == 1  # not sent twice
    assert run(provider, "status", "status", key, redirect.reference).state == PaymentState.PENDING
    assert [r.path for r in fake.log].count("/v1/oauth2/token") == 2
    assert list(Attempt.objects.filter(operation="status").values_list("outcome", flat=True).order_by("pk")) == [
        "unavailable", "ok"]
    messages = Attempt.objects.values_list("message", flat=True)
    assert not any(token in message for token in fake.tokens for message in messages)  # never written down


def test_cancel_and_cancel_page(fake, provider):
    key = str(uuid.uuid4())
    redirect = start(provider, key)
    back = approve(redirect, "cancel")
    assert back.headers["Location"] == f"{RETURN_URL}?cancel=1&token={redirect.reference}"
    assert run(provider, "cancel", "cancel", redirect.reference).state == PaymentState.CANCELLED
    assert fake.ledger.charges == []


@pytest.mark.parametrize("how", ["page", "fault"])
def test_declined(fake, provider, how):
    key = str(uuid.uuid4())
    redirect = start(provider, key)
    approve(redirect, "decline" if how == "page" else "pay")
    if how == "fault":
        fake.set_fault("decline", times=1)

    with pytest.raises(Declined, match="INSTRUMENT_DECLINED"):
        run(provider, "capture", "capture", key, redirect.reference)

    assert Attempt.objects.filter(provider=provider, operation="capture").get().outcome == "declined"
    assert fake.ledger.successful(key) == [] and len(fake.ledger.charges) == 1
    assert run(provider, "status", "status", key, redirect.reference).state != PaymentState.SUCCEEDED


@pytest.mark.parametrize("fault, options", [("status", {"status": 503}), ("status", {"status": 429}),
                                            ("status", {"status": 500}), ("malformed", {})])
def test_provider_trouble_is_unavailable(fake, provider, fault, options):
    fake.set_fault(fault, **options)
    with pytest.raises(Unavailable):
        start(provider, str(uuid.uuid4()))
    assert fake.orders == {}
    assert Attempt.objects.get(provider=provider).outcome == "unavailable"


def test_connection_refused_is_unavailable(provider):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    provider.config["api_base"] = f"http://127.0.0.1:{port}"
    with pytest.raises(Unavailable):
        start(provider, str(uuid.uuid4()))


@pytest.mark.parametrize("problem", ["wrong secret", "no secret", "403"])
def test_bad_credentials_are_misconfigured(fake, provider, monkeypatch, problem):
    name = provider_secret_env(provider.code, "CLIENT_SECRET")
    if problem == "wrong secret":
        monkeypatch.setenv(name, "not-the-secret")
    elif problem == "no secret":
        monkeypatch.delenv(name)
    else:
        fake.set_fault("status", status=403)
    with pytest.raises(Misconfigured):
        start(provider, str(uuid.uuid4()))
    assert fake.orders == {}
    assert fake.requests == (0 if problem == "no secret" else 1)
    assert "secret-1" not in Attempt.objects.get(provider=provider).message


@pytest.mark.parametrize("mode", ["reset_after", "hang_after"])
def test_capture_answer_lost_then_status_finds_the_one_charge(fake, provider, mode):
    key = str(uuid.uuid4())
    redirect = start(provider, key)
    approve(redirect)
    fake.set_fault(mode, times=1)

    with pytest.raises(Indeterminate):
        run(provider, "capture", "capture", key, redirect.reference)
    assert len(fake.ledger.successful(key)) == 1  # the charge was made; only the answer was lost

    status = run(provider, "status", "status", key, redirect.reference)
    assert status.state == PaymentState.SUCCEEDED
    assert run(provider, "capture", "capture", key, redirect.reference).state == PaymentState.SUCCEEDED
    assert [c.reference for c in fake.ledger.successful(key)] == [status.charge_reference]


def test_create_answer_lost_then_replay_finds_the_same_order(fake, provider):
    key = str(uuid.uuid4())
    fake.set_fault("reset_after", times=1)
    with pytest.raises(Indeterminate):
        start(provider, key)
    assert len(fake.orders) == 1
    assert start(provider, key).reference == next(iter(fake.orders))
    assert len(fake.orders) == 1


def test_refund_is_idempotent_and_bounded(fake, provider):
    key = str(uuid.uuid4())
    redirect = start(provider, key)
    approve(redirect)
    capture = run(provider, "capture", "capture", key, redirect.reference).charge_reference
    four = Money(Decimal("4.00"), "EUR")

    first = run(provider, "refund", "refund", capture, four, f"{key}-refund-1")
    again = run(provider, "refund", "refund", capture, four, f"{key}-refund-1")

    assert first == again and first.state == PaymentState.REFUNDED and first.amount == four
    assert fake.ledger.successful(key)[0].refunded == Decimal("4.00")
    with pytest.raises(Rejected, match="REFUND_AMOUNT_EXCEEDED"):  # 422 for our data: not the payer, not PayPal
        run(provider, "refund", "refund", capture, Money(Decimal("6.01"), "EUR"), f"{key}-refund-2")
    assert Attempt.objects.filter(provider=provider).latest("id").outcome == "invalid_request"
    run(provider, "refund", "refund", capture, Money(Decimal("6.00"), "EUR"), f"{key}-refund-3")
    assert run(provider, "status", "status", key, redirect.reference).state == PaymentState.REFUNDED


def test_probe(fake, provider):
    assert [r.outcome for r in providers_probe(provider.code)] == ["ok"]
    fake.set_fault("status", status=503)
    assert [r.outcome for r in providers_probe(provider.code)] == ["unavailable"]


def test_gateway_faults_switch_over_http(fake):
    with httpx.Client(base_url=fake.url, trust_env=False) as http:
        token = http.post("/v1/oauth2/token", data={"grant_type": "client_credentials"},
                          auth=("client-1", "secret-1")).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        assert http.post("/__fault__", json={"mode": "reset_after", "times": 1}).status_code == 200
        assert http.get("/__fault__").json()["fault"]["mode"] == "reset_after"
        with pytest.raises(httpx.TransportError):
            http.get("/v1/notifications/webhooks", headers=headers)  # carried out, then the answer is lost
        assert http.get("/v1/notifications/webhooks", headers=headers).status_code == 200
        assert http.post("/__fault__", json={"mode": "explode"}).status_code == 400


@pytest.mark.parametrize("fault, options", [("status", {"status": 503}), ("status", {"status": 500}),
                                            ("status", {"status": 429}), ("malformed", {})])
def test_a_capture_answered_with_anything_but_success_or_refusal_is_indeterminate(fake, provider, fault, options):
    """A call that moves money and gets garbage or a 5xx may have moved it: never "nothing happened"."""
    key = str(uuid.uuid4())
    redirect = start(provider, key)
    approve(redirect)
    fake.set_fault(fault, **options)
    with pytest.raises(Indeterminate):
        run(provider, "capture", "capture", key, redirect.reference)
    assert Attempt.objects.get(provider=provider, operation="capture").outcome == "indeterminate"
    fake.set_fault("ok")
    with pytest.raises(Unavailable):  # a read answered that way is still just "unavailable"
        fake.set_fault(fault, **options)
        run(provider, "status", "status", key, redirect.reference)


def test_a_capture_that_could_not_connect_is_unavailable(fake, provider):
    key = str(uuid.uuid4())
    redirect = start(provider, key)
    approve(redirect)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    provider.config["api_base"] = f"http://127.0.0.1:{port}"
    with pytest.raises(Unavailable) as raised:
        run(provider, "capture", "capture", key, redirect.reference)
    assert type(raised.value) is Unavailable  # nothing was sent: safe to say so
