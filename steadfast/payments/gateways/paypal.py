"""PayPal Orders v2 over httpx: create an order, send the customer to PayPal to approve it, capture it.

I/O only, as every adapter: no database, no retries, no decisions, no call() of its own. Like the Stripe adapter,
the methods take the httpx client that providers.call.call() hands out as their last argument (base_url = config
"api_base").

- Auth: OAuth2 client credentials (STEADFAST_<CODE>_CLIENT_ID / _CLIENT_SECRET). The access token is cached in
  this process until shortly before it expires. A cached token refused with 401 is forgotten and the call fails
  as Unavailable (PayPal did nothing with it); the next call fetches a new token. The token never appears in a
  message or log.
- Every POST carries a PayPal-Request-Id derived from our idempotency key (Payment.key): a replayed create returns
  the same order and a replayed capture the same capture, so an answer lost on the way never means a second charge.
- status() only reads: an order the customer approved is reported as APPROVED. The payment service decides to
  capture (capture(), operation "capture", which moves the money) on the customer's return, the
  CHECKOUT.ORDER.APPROVED webhook or the reconciliation job, never on a page view.
- Webhooks: read_webhook(body, headers) checks and translates without I/O and returns the question to ask;
  verify_webhook(question, client) asks PayPal (POST /v1/notifications/verify-webhook-signature, with
  STEADFAST_<CODE>_WEBHOOK_ID) whether the event is genuine. The caller runs it through call().
"""

import json
import threading
import time
from datetime import datetime
from urllib.parse import quote, urlsplit

from steadfast.payments.gateways.rest import decimal_string, json_object, json_or_empty, money_from, text
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
from steadfast.payments.testpay import hosted_page_pay, loopback
from steadfast.providers.call import check_response
from steadfast.providers.errors import Misconfigured, Unavailable
from steadfast.providers.secrets import provider_secret

TOKEN_MARGIN = 60  # seconds before PayPal's expiry that we stop using a token
WEBHOOK_TOLERANCE = 300  # seconds, both ways
# Refusals (400/404/422, PayPal's decline issues) are classified by the one table, payments.refusals.REFUSALS.
ORDER_OPEN = {"CREATED", "SAVED", "PAYER_ACTION_REQUIRED"}
CAPTURE_STATES = {
    "COMPLETED": PaymentState.SUCCEEDED, "PARTIALLY_REFUNDED": PaymentState.SUCCEEDED,
    "REFUNDED": PaymentState.REFUNDED, "PENDING": PaymentState.PENDING,
    "DECLINED": PaymentState.FAILED, "FAILED": PaymentState.FAILED,
}
EVENT_STATES = {
    "PAYMENT.CAPTURE.COMPLETED": PaymentState.SUCCEEDED, "PAYMENT.CAPTURE.PENDING": PaymentState.PENDING,
    "PAYMENT.CAPTURE.DENIED": PaymentState.FAILED, "PAYMENT.CAPTURE.DECLINED": PaymentState.FAILED,
    "PAYMENT.CAPTURE.REFUNDED": PaymentState.REFUNDED,
}
WEBHOOK_HEADERS = {
    "transmission_id": "Paypal-Transmission-Id", "transmission_time": "Paypal-Transmission-Time",
    "transmission_sig": "Paypal-Transmission-Sig", "cert_url": "Paypal-Cert-Url", "auth_algo": "Paypal-Auth-Algo",
}

_tokens = {}  # (provider code, api base, client id) -> (access token, monotonic expiry)
_tokens_lock = threading.Lock()


class PayPalGateway(PaymentGateway):
    def start(self, request: StartRequest, client) -> Redirect:
        body = {
            "intent": "CAPTURE",
            "purchase_units": [{
                "reference_id": request.order_number, "custom_id": request.idempotency_key,
                "invoice_id": request.order_number, "description": (request.description or request.order_number)[:127],
                "amount": {"currency_code": request.amount.currency, "value": decimal_string(request.amount)},
            }],
            "application_context": {
                "return_url": request.return_url, "cancel_url": request.cancel_url,
                "user_action": "PAY_NOW", "shipping_preference": "NO_SHIPPING",
            },
        }
        order = self._answer(self._send(client, "POST", "/v2/checkout/orders", body, request.idempotency_key))
        links = order.get("links") if isinstance(order.get("links"), list) else []
        approve = [link.get("href") for link in links if isinstance(link, dict)
                   and link.get("rel") in ("approve", "payer-action") and isinstance(link.get("href"), str)]
        if not approve or not approve[0].startswith(("http://", "https://")):
            raise Unavailable("order without an approval link")
        return Redirect(url=approve[0], reference=text(order, "id"))

    def status(self, idempotency_key: str, reference: str, client) -> PaymentStatus:
        """The order's state (read only): APPROVED means the customer consented and the capture is ours to make."""
        if not reference:
            # No order id: the customer never received an approval link, so nothing can have been paid.
            return PaymentStatus(PaymentState.FAILED)
        return order_status(self._order(client, reference))

    def capture(self, idempotency_key: str, reference: str, client) -> PaymentStatus:
        """Take the money of an approved order. Declined when PayPal refuses the payer's instrument."""
        path = f"/v2/checkout/orders/{quote(reference, safe='')}/capture"
        response = self._send(client, "POST", path, {}, f"{idempotency_key}-capture")
        if response.status_code == 422 and _issue(json_or_empty(response)) in ("ORDER_ALREADY_CAPTURED",
                                                                                  "ORDER_NOT_APPROVED"):
            return order_status(self._order(client, reference))  # captured before, or not approved yet
        return order_status(self._answer(response))

    def cancel(self, reference: str, client) -> PaymentStatus:
        """PayPal has no way to withdraw an uncaptured order; we simply never capture it and it expires.

        A completed order stays what it is (routing refunds a late success)."""
        order = self._order(client, reference)
        if order.get("status") == "COMPLETED":
            return order_status(order)
        return PaymentStatus(PaymentState.CANCELLED, reference=reference, amount=_order_amount(order))

    def refund(self, charge_reference: str, amount, idempotency_key: str, client) -> PaymentStatus:
        """Refund (part of) a capture; charge_reference is the capture id that status() reported."""
        path = f"/v2/payments/captures/{quote(charge_reference, safe='')}/refund"
        body = {"amount": {"currency_code": amount.currency, "value": decimal_string(amount)}}
        refund = self._answer(self._send(client, "POST", path, body, idempotency_key))
        state = {"COMPLETED": PaymentState.REFUNDED, "PENDING": PaymentState.PENDING}.get(refund.get("status"))
        if state is None:
            raise Unavailable(f"refund {refund.get('status')!r}")
        return PaymentStatus(state, reference=text(refund, "id"), amount=money_from(refund.get("amount")) or amount,
                             charge_reference=charge_reference)

    def test_mode(self) -> bool:
        """The sandbox (api-m.sandbox.paypal.com) or a fake on this machine; PayPal's keys do not say it."""
        host = urlsplit(self.provider.config.get("api_base") or "").hostname or ""
        return host.endswith(".sandbox.paypal.com") or loopback(host)

    def test_pay(self, url: str, client) -> str:
        """A sandbox approval needs the sandbox buyer to log in (payments.testpay): "" there; the fake's page is
        approved, and the shop captures on the return as for a shopper."""
        return hosted_page_pay(url, client)

    def probe(self, client):
        """A cheap authenticated read: the list of webhooks (also proves the credentials still work)."""
        self._answer(self._send(client, "GET", "/v1/notifications/webhooks"))

    # --- webhooks ----------------------------------------------------------------------------------
    def read_webhook(self, body: bytes, headers, now: float | None = None) -> tuple[ProviderEvent, dict]:
        """Check and translate a webhook without I/O: (the event, the question verify_webhook asks PayPal).

        WebhookRejected: incomplete, stale or unreadable (answer 400). `headers`: any mapping (request.headers)."""
        lowered = {str(name).lower(): value for name, value in headers.items()}
        headers = {name: str(lowered.get(header.lower(), "")) for name, header in WEBHOOK_HEADERS.items()}
        if not all(headers.values()):
            raise WebhookRejected("missing PayPal transmission headers")
        try:
            sent = datetime.fromisoformat(headers["transmission_time"].replace("Z", "+00:00")).timestamp()
        except ValueError:
            raise WebhookRejected("unreadable transmission time") from None
        if abs((time.time() if now is None else now) - sent) > WEBHOOK_TOLERANCE:
            raise WebhookRejected("transmission time outside the tolerance")
        try:
            event = json.loads(body)
            event_id, kind, resource = str(event["id"]), str(event["event_type"]), event["resource"]
        except (ValueError, KeyError, TypeError):
            raise WebhookRejected("unreadable event") from None
        if not isinstance(resource, dict):
            raise WebhookRejected("unreadable event")
        return _event(event_id, kind, resource), {**headers, "webhook_event": event}

    def verify_webhook(self, question: dict, client) -> bool:
        """Ask PayPal whether the event is genuine. Unavailable when it cannot say (answer 5xx: PayPal resends)."""
        webhook_id = provider_secret(self.provider, "WEBHOOK_ID")
        if not webhook_id:
            raise Misconfigured(f"{self.provider.code}: the webhook id environment variable is not set")
        answer = self._answer(self._send(client, "POST", "/v1/notifications/verify-webhook-signature",
                                         {**question, "webhook_id": webhook_id}))
        if answer.get("verification_status") not in ("SUCCESS", "FAILURE"):
            raise Unavailable("unreadable verification answer")
        return answer["verification_status"] == "SUCCESS"

    # --- HTTP --------------------------------------------------------------------------------------
    def _order(self, client, reference) -> dict:
        return self._answer(self._send(client, "GET", f"/v2/checkout/orders/{quote(reference, safe='')}"))

    def _send(self, client, method, path, body=None, request_id=""):
        token, cached = self._token(client)
        response = self._request(client, method, path, body, request_id, token)
        if response.status_code == 401:
            self._forget_token(client)
            if cached:
                # The cached token expired or was revoked early: PayPal did nothing with the request. Not a bad
                # key (the next call fetches a new token); whether to ask again is the caller's decision.
                raise Unavailable("PayPal refused the cached access token; a new one is fetched on the next call")
        return response

    def _request(self, client, method, path, body, request_id, token):
        headers = {"Authorization": f"Bearer {token}", "Prefer": "return=representation"}
        if request_id:
            headers["PayPal-Request-Id"] = request_id
        return client.request(method, path, json=body, headers=headers)

    def _answer(self, response) -> dict:
        check_response(response)  # 401/403 -> Misconfigured, 429/5xx -> Unavailable
        status = response.status_code
        if status in (200, 201):
            return json_object(response)
        body = json_or_empty(response)
        detail = f"HTTP {status} {body.get('name', '')} {_issue(body)}".strip()
        raise refusal("paypal", status, _issue(body), message=f"PayPal refused the request: {detail}")

    def _token_key(self, client):
        return self.provider.code, str(client.base_url), provider_secret(self.provider, "CLIENT_ID")

    def _token(self, client) -> tuple[str, bool]:
        """(access token, whether it came from the cache)."""
        key = self._token_key(client)
        with _tokens_lock:
            cached = _tokens.get(key)
        if cached and cached[1] > time.monotonic():
            return cached[0], True
        client_id, secret = key[2], provider_secret(self.provider, "CLIENT_SECRET")
        if not client_id or not secret:
            raise Misconfigured(f"{self.provider.code}: client id or secret environment variable is not set")
        response = check_response(client.post(
            "/v1/oauth2/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret),
            headers={"Accept": "application/json"},
        ))
        if response.status_code != 200:
            raise Misconfigured(f"token request refused: HTTP {response.status_code}")
        body = json_object(response)
        token, lifetime = text(body, "access_token"), body.get("expires_in")
        lifetime = lifetime if isinstance(lifetime, int) and lifetime > 0 else 300
        with _tokens_lock:
            _tokens[key] = (token, time.monotonic() + max(lifetime - TOKEN_MARGIN, lifetime // 2))
        return token, False

    def _forget_token(self, client):
        with _tokens_lock:
            _tokens.pop(self._token_key(client), None)


def _issue(body: dict) -> str:
    details = body.get("details")
    if isinstance(details, list) and details and isinstance(details[0], dict):
        return str(details[0].get("issue", ""))
    return str(body.get("name", "") or body.get("error", ""))


def _unit(order: dict) -> dict:
    units = order.get("purchase_units")
    return units[0] if isinstance(units, list) and units and isinstance(units[0], dict) else {}


def _order_amount(order: dict):
    return money_from(_unit(order).get("amount"))


def order_status(order: dict) -> PaymentStatus:
    reference, status = text(order, "id"), order.get("status")
    payments = _unit(order).get("payments")
    captures = payments.get("captures") if isinstance(payments, dict) else None
    capture = captures[-1] if isinstance(captures, list) and captures and isinstance(captures[-1], dict) else None
    if status == "COMPLETED" and capture is not None:
        state = CAPTURE_STATES.get(capture.get("status"))
        if state is None:
            raise Unavailable(f"unknown capture status {capture.get('status')!r}")
        return PaymentStatus(state, reference=reference, amount=money_from(capture.get("amount")),
                             charge_reference=str(capture.get("id", "")))
    if status == "APPROVED":
        return PaymentStatus(PaymentState.APPROVED, reference=reference, amount=_order_amount(order))
    if status in ORDER_OPEN:
        return PaymentStatus(PaymentState.PENDING, reference=reference, amount=_order_amount(order))
    if status == "VOIDED":
        return PaymentStatus(PaymentState.CANCELLED, reference=reference, amount=_order_amount(order))
    raise Unavailable(f"unknown order status {status!r}")


def _event(event_id: str, kind: str, resource: dict) -> ProviderEvent:
    if kind.startswith("CHECKOUT.ORDER."):
        return ProviderEvent(event_id, kind, str(resource.get("id", "")), str(_unit(resource).get("custom_id", "")),
                             None)
    supplementary = resource.get("supplementary_data")
    related = supplementary.get("related_ids") if isinstance(supplementary, dict) else None
    order_id = str(related.get("order_id", "")) if isinstance(related, dict) else ""
    state = EVENT_STATES.get(kind)
    status = None if state is None or not order_id else PaymentStatus(
        state, reference=order_id, amount=money_from(resource.get("amount")),
        charge_reference=str(resource.get("id", "")),
    )
    return ProviderEvent(event_id, kind, order_id, str(resource.get("custom_id", "")), status)
