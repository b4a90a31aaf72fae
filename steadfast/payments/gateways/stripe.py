"""Stripe Checkout Sessions through the official `stripe` SDK: the customer pays on Stripe's hosted page.

I/O only, as every adapter: no database, no retries, no decisions. Methods take the httpx client that
providers.call.call() hands out; the SDK sends its requests through it (_CallHTTPClient), so the provider's
connect/read timeouts and the transport-error classification of call() apply exactly as for any other adapter,
and the SDK's own retries never run (max_network_retries=0, and it only retries errors we never raise to it).

Every create is sent with our idempotency key (Payment.key): a replayed create returns the same session, which is
how a start whose answer was lost is resolved. Secrets: STEADFAST_<CODE>_SECRET_KEY, STEADFAST_<CODE>_WEBHOOK_SECRET.
"""

import datetime
import hashlib
import hmac
import json
import logging
import threading
import time
from decimal import Decimal
from functools import partial

import httpx
import stripe
from django.conf import settings

from steadfast.money import Money
from steadfast.payments.interface import (
    PaymentGateway,
    PaymentState,
    PaymentStatus,
    ProviderEvent,
    Redirect,
    StartRequest,
    WebhookRejected,
)
from steadfast.payments.refusals import refusal
from steadfast.payments.testpay import hosted_page_pay
from steadfast.providers.call import check_response
from steadfast.providers.errors import Indeterminate, Misconfigured, Unavailable
from steadfast.providers.secrets import provider_secret

log = logging.getLogger(__name__)
DEFAULT_API_BASE = "https://api.stripe.com"
WEBHOOK_TOLERANCE = 300  # seconds, both ways: a signature from the future is as suspect as a stale one
ZERO_DECIMAL = {"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF",
                "XOF", "XPF"}


def minor_units(money: Money) -> int:
    exponent = 0 if money.currency.upper() in ZERO_DECIMAL else 2
    return int((Decimal(money.amount) * 10**exponent).to_integral_value())


def from_minor(amount, currency) -> Money | None:
    if not isinstance(amount, int) or not isinstance(currency, str):
        return None
    exponent = 0 if currency.upper() in ZERO_DECIMAL else 2
    return Money(Decimal(amount) / 10**exponent, currency.upper())


class _CallHTTPClient(stripe.HTTPClient):
    """Sends the SDK's requests through call()'s httpx client; transport errors reach call() unwrapped."""

    name = "steadfast"

    def __init__(self, client: httpx.Client):
        super().__init__()
        self.client = client

    def request(self, method, url, headers, post_data=None):
        content = post_data.encode() if isinstance(post_data, str) else post_data
        response = check_response(self.client.request(method, url, headers=dict(headers or {}), content=content))
        _check_body(response)
        return response.content, response.status_code, response.headers

    def request_stream(self, method, url, headers, post_data=None):
        raise NotImplementedError("streaming is not used")

    def close(self):
        pass  # the client belongs to call()


def _check_body(response: httpx.Response):
    """Anything but a JSON object (with an "error" object on failure) is garbage: the SDK would choke on it."""
    try:
        body = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        raise Unavailable(f"HTTP {response.status_code}: malformed response body") from None
    if not isinstance(body, dict) or (response.status_code >= 400 and not isinstance(body.get("error"), dict)):
        raise Unavailable(f"HTTP {response.status_code}: unexpected response body")


class _StripeErrors:
    """Map the SDK's exceptions to our errors; Stripe's refusals of a request go through refusals.REFUSALS."""

    def __enter__(self):
        return self

    def __exit__(self, kind, error, tb):
        if error is None or not isinstance(error, stripe.StripeError):
            return False
        message = f"{type(error).__name__}: {error.user_message or ''}".strip()
        if isinstance(error, (stripe.AuthenticationError, stripe.PermissionError)):
            raise Misconfigured(message) from error
        if isinstance(error, stripe.APIConnectionError):
            cause = error.__cause__
            if isinstance(cause, (httpx.ConnectError, httpx.ConnectTimeout)):
                raise Unavailable(message) from error
            raise Indeterminate(message) from error
        refused = {stripe.CardError: "card_error", stripe.IdempotencyError: "idempotency_error",
                   stripe.InvalidRequestError: "invalid_request_error"}
        code = next((name for cls, name in refused.items() if isinstance(error, cls)), "")
        if code:
            if code == "card_error":
                message = error.user_message or "card declined"
            raise refusal("stripe", error.http_status or 400, code, message=message) from error
        raise Unavailable(message) from error  # RateLimitError, APIError (5xx, unreadable answers)


# Building a StripeClient costs ~50 ms of CPU; call() hands out one long-lived httpx client per endpoint and
# timeouts, so one SDK client per (key, endpoint, httpx client) is reused. Bounded: cleared when it grows.
_sdk_clients = {}
_sdk_lock = threading.Lock()


class StripeGateway(PaymentGateway):
    def _client(self, client: httpx.Client) -> stripe.StripeClient:
        key = provider_secret(self.provider, "SECRET_KEY")
        if not key:
            raise Misconfigured(f"{self.provider.code}: the secret key environment variable is not set")
        api_base = self.provider.config.get("api_base") or DEFAULT_API_BASE
        cache_key = (hashlib.sha256(key.encode()).hexdigest(), api_base, id(client))
        with _sdk_lock:
            sdk = _sdk_clients.get(cache_key)
            if sdk is None or sdk[1] is not client:
                if len(_sdk_clients) > 64:
                    _sdk_clients.clear()
                sdk = (stripe.StripeClient(key, base_addresses={"api": api_base}, max_network_retries=0,
                                           http_client=_CallHTTPClient(client)), client)
                _sdk_clients[cache_key] = sdk
        return sdk[0]

    def start(self, request: StartRequest, client) -> Redirect:
        params = {
            "mode": "payment",
            "line_items": [{"quantity": 1, "price_data": {
                "currency": request.amount.currency.lower(), "unit_amount": minor_units(request.amount),
                "product_data": {"name": request.description or request.order_number},
            }}],
            "success_url": request.return_url, "cancel_url": request.cancel_url,
            "client_reference_id": request.order_number, "customer_email": request.email,
            "metadata": {"payment_key": request.idempotency_key, "order": request.order_number},
        }
        with _StripeErrors():
            session = _plain(self._client(client).v1.checkout.sessions.create(
                params, {"idempotency_key": request.idempotency_key}))
        url, session_id = session.get("url"), session.get("id")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")) or not isinstance(session_id, str):
            raise Unavailable("checkout session without a usable id and url")
        return Redirect(url=url, reference=session_id)

    def status(self, idempotency_key: str, reference: str, client) -> PaymentStatus:
        with _StripeErrors():
            session = _plain(self._client(client).v1.checkout.sessions.retrieve(reference))
        return session_status(session)

    def cancel(self, reference: str, client) -> PaymentStatus:
        """Expire an open session so the customer can no longer pay it (they chose another method)."""
        with _StripeErrors():
            session = _plain(self._client(client).v1.checkout.sessions.expire(reference))
        return session_status(session)

    def refund(self, charge_reference: str, amount: Money, idempotency_key: str, client) -> PaymentStatus:
        with _StripeErrors():
            refund = _plain(self._client(client).v1.refunds.create(
                {"payment_intent": charge_reference, "amount": minor_units(amount)},
                {"idempotency_key": idempotency_key}))
        if refund.get("status") not in ("succeeded", "pending"):
            raise Unavailable(f"refund {refund.get('status')!r}")
        return PaymentStatus(PaymentState.REFUNDED, reference=str(refund.get("id", "")), amount=amount)

    def probe(self, client):
        """A cheap authenticated read: the balance."""
        with _StripeErrors():
            self._client(client).v1.balance.retrieve()

    def test_mode(self) -> bool:
        """A test-mode secret or restricted key (sk_test_..., rk_test_...): Stripe never moves real money for it."""
        return provider_secret(self.provider, "SECRET_KEY").startswith(("sk_test_", "rk_test_"))

    def test_pay(self, url: str, client) -> str:
        """Stripe's own Checkout page needs a browser (payments.testpay): "" there; the fake's page is paid."""
        return hosted_page_pay(url, client)

    def daily_test(self, run):
        """Once a day (providers.probes): a real test-mode payment of 1.00 with Stripe's test card, then its refund.

        Only with a test key (sk_test_...): a live key is never charged, the run is skipped with a log line.
        The keys are per provider and day, so a second run the same day replays instead of charging again.
        """
        if not self.test_mode():
            log.warning("%s: daily test payment skipped: the secret key is not a test-mode key (sk_test_...); "
                        "a live account is never charged by the daily test", self.provider.code)
            return None
        amount = Money(Decimal("1.00"), settings.SHOP_CURRENCY)
        stamp = f"daily-test-{self.provider.code}-{datetime.date.today().isoformat()}"
        intent = run("daily_test_charge", partial(self.test_charge, amount, stamp))
        return run("daily_test_refund", partial(self.refund, intent, amount, f"{stamp}-refund"))

    def test_charge(self, amount: Money, idempotency_key: str, client) -> str:
        """Create and confirm a PaymentIntent with the test card pm_card_visa; returns its id."""
        params = {"amount": minor_units(amount), "currency": amount.currency.lower(), "confirm": True,
                  "payment_method": "pm_card_visa", "payment_method_types": ["card"],
                  "description": "Steadfast daily test payment", "metadata": {"steadfast": "daily-test"}}
        with _StripeErrors():
            intent = _plain(self._client(client).v1.payment_intents.create(
                params, {"idempotency_key": idempotency_key}))
        if intent.get("status") != "succeeded" or not isinstance(intent.get("id"), str):
            raise Unavailable(f"daily test payment ended as {intent.get('status')!r}")
        return intent["id"]

    # --- webhooks: no I/O, just verification and translation ---------------------------------------------
    def parse_webhook(self, body: bytes, headers, now: float | None = None) -> ProviderEvent:
        signature = headers.get("Stripe-Signature", "")
        secret = provider_secret(self.provider, "WEBHOOK_SECRET")
        if not secret:
            raise WebhookRejected("no webhook secret configured")
        verify_signature(body, signature, secret, now)
        try:
            event = json.loads(body)
            obj = event["data"]["object"]
            event_id, kind = str(event["id"]), str(event["type"])
        except (ValueError, KeyError, TypeError):
            raise WebhookRejected("unreadable event") from None
        if not isinstance(obj, dict) or not kind.startswith("checkout.session."):
            return ProviderEvent(event_id, kind, "", "", None)
        metadata = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
        return ProviderEvent(event_id, kind, str(obj.get("id", "")), str(metadata.get("payment_key", "")),
                             session_status(obj))


def _plain(obj) -> dict:
    """The SDK's objects are not dicts; read them as plain data."""
    return obj.to_dict() if callable(getattr(obj, "to_dict", None)) else {}


def session_status(session: dict) -> PaymentStatus:
    charge = session.get("payment_intent")
    amount = from_minor(session.get("amount_total"), session.get("currency"))
    if session.get("payment_status") in ("paid", "no_payment_required"):
        state = PaymentState.SUCCEEDED
    elif session.get("status") == "expired":
        state = PaymentState.CANCELLED
    elif session.get("status") in ("open", "complete"):
        state = PaymentState.PENDING
    else:
        raise Unavailable(f"unknown checkout session status {session.get('status')!r}")
    return PaymentStatus(state, reference=str(session.get("id", "")), amount=amount,
                         charge_reference=charge if isinstance(charge, str) else "")


def sign(body: bytes, secret: str, timestamp: int) -> str:
    """The Stripe-Signature header value for a body; used by the fake and by tests."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify_signature(body: bytes, header: str, secret: str, now: float | None = None):
    parts = [item.split("=", 1) for item in (header or "").split(",") if "=" in item]
    timestamps = [value for name, value in parts if name.strip() == "t"]
    signatures = [value.strip() for name, value in parts if name.strip() == "v1"]
    if len(timestamps) != 1 or not timestamps[0].strip().isdigit() or not signatures:
        raise WebhookRejected("malformed Stripe-Signature header")
    timestamp = int(timestamps[0])
    if abs((time.time() if now is None else now) - timestamp) > WEBHOOK_TOLERANCE:
        raise WebhookRejected("timestamp outside the tolerance")
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
        raise WebhookRejected("signature mismatch")
