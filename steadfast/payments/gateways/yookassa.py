"""YooKassa API v3 over httpx: create a payment, send the customer to YooKassa's confirmation page, read it back.

I/O only, as every adapter: no database, no retries, no decisions. The methods take the httpx client that
providers.call.call() hands out as their last argument (base_url = config "api_base", e.g. https://api.yookassa.ru).

- Auth: HTTP Basic with the shop id and secret key (STEADFAST_<CODE>_SHOP_ID, STEADFAST_<CODE>_SECRET_KEY).
- Payments are created with capture=true (one step) and our idempotency key (Payment.key) as Idempotence-Key:
  YooKassa answers a replay with the same payment, so a create whose answer was lost is resolved by replaying it.
- Notifications carry no signature. parse_webhook(body, headers) therefore never trusts the body: it takes the
  payment id from it and re-reads that payment from the API; the state it returns is YooKassa's, not the sender's.
"""

import json
from functools import partial
from urllib.parse import quote

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
from steadfast.payments.testpay import hosted_page_pay
from steadfast.providers.call import call, check_response
from steadfast.providers.errors import Declined, Indeterminate, Misconfigured, Unavailable
from steadfast.providers.secrets import provider_secret

# A cancelled payment is "cancelled" when nobody paid (expired, withdrawn by us); otherwise the payment failed.
NOT_ATTEMPTED = {"expired_on_confirmation", "expired_on_capture", "canceled_by_merchant"}
MAX_ID = 64  # YooKassa ids are 36-character UUIDs; anything much longer in a notification is not one


class YooKassaGateway(PaymentGateway):
    def start(self, request: StartRequest, client) -> Redirect:
        body = {
            "amount": {"value": decimal_string(request.amount), "currency": request.amount.currency},
            "capture": True,
            "confirmation": {"type": "redirect", "return_url": request.return_url},
            "description": (request.description or request.order_number)[:128],
            "metadata": {"order_number": request.order_number, "payment_key": request.idempotency_key},
        }
        payment = self._answer(self._send(client, "POST", "/v3/payments", body, request.idempotency_key))
        if payment.get("status") == "canceled":  # refused at once, e.g. by YooKassa's fraud checks
            raise Declined(f"YooKassa refused the payment: {_reason(payment)}")
        confirmation = payment.get("confirmation")
        url = confirmation.get("confirmation_url") if isinstance(confirmation, dict) else None
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise Unavailable("payment without a usable confirmation url")
        return Redirect(url=url, reference=text(payment, "id"))

    def status(self, idempotency_key: str, reference: str, client) -> PaymentStatus:
        if not reference:
            # No payment id: the customer never received the confirmation link, so nothing can have been paid.
            return PaymentStatus(PaymentState.FAILED)
        return payment_status(self._payment(client, reference))

    def cancel(self, reference: str, client) -> PaymentStatus:
        """A pending one-step payment cannot be withdrawn at YooKassa; it expires unpaid. Report its real state,
        so a payment made after all is still seen (and refunded by routing as a late success)."""
        return payment_status(self._payment(client, reference))

    def refund(self, charge_reference: str, amount, idempotency_key: str, client) -> PaymentStatus:
        body = {"payment_id": charge_reference,
                "amount": {"value": decimal_string(amount), "currency": amount.currency}}
        refund = self._answer(self._send(client, "POST", "/v3/refunds", body, idempotency_key))
        if refund.get("status") == "canceled":
            raise Declined(f"YooKassa refused the refund: {_reason(refund)}")
        state = {"succeeded": PaymentState.REFUNDED, "pending": PaymentState.PENDING}.get(refund.get("status"))
        if state is None:
            raise Unavailable(f"refund {refund.get('status')!r}")
        return PaymentStatus(state, reference=text(refund, "id"), amount=money_from(refund.get("amount")) or amount,
                             charge_reference=charge_reference)

    def test_mode(self) -> bool:
        """A test shop's secret key starts with "test_" (a live shop's with "live_"): no real money moves."""
        return provider_secret(self.provider, "SECRET_KEY").startswith("test_")

    def test_pay(self, url: str, client) -> str:
        """YooKassa's test page wants a test card typed in (payments.testpay): "" there; the fake's page is paid."""
        return hosted_page_pay(url, client)

    def probe(self, client):
        """A cheap authenticated read: the shop's own settings."""
        self._answer(self._send(client, "GET", "/v3/me"))

    # --- notifications -----------------------------------------------------------------------------
    def parse_webhook(self, body: bytes, headers=None, now: float | None = None) -> ProviderEvent:
        """Read a notification and confirm it against the API (headers and time play no part: nothing is signed).

        WebhookRejected: unreadable, or about a payment YooKassa does not know (answer 400). A ProviderError
        (Unavailable...): the API could not be asked (answer 5xx so that YooKassa sends it again)."""
        try:
            note = json.loads(body)
            kind, obj = note["event"], note["object"]
            object_id = obj["id"]
            payment_id = obj["payment_id"] if kind.startswith("refund.") else object_id
        except (ValueError, KeyError, TypeError, AttributeError):
            raise WebhookRejected("unreadable notification") from None
        if note.get("type") != "notification" or not all(
            isinstance(value, str) and 0 < len(value) <= MAX_ID for value in (kind, object_id, payment_id)
        ):
            raise WebhookRejected("unreadable notification")
        payment = call(self.provider, "webhook", partial(self._payment_or_none, payment_id), reference=payment_id)
        if payment is None:
            raise WebhookRejected("YooKassa knows no such payment")
        metadata = payment.get("metadata") if isinstance(payment.get("metadata"), dict) else {}
        status = payment_status(payment)
        # Notifications have no id of their own. The event id names the state the API confirmed, not what the
        # body claimed: a forged "succeeded" for an unpaid payment must not use up the id of the real one.
        refunded = money_from(payment.get("refunded_amount"))
        event_id = f"{payment_id}:{payment.get('status')}" + (f":refunded-{refunded.amount}" if refunded else "")
        return ProviderEvent(event_id, kind, payment_id, str(metadata.get("payment_key", "")), status)

    # --- HTTP --------------------------------------------------------------------------------------
    def _payment(self, client, reference) -> dict:
        return self._answer(self._send(client, "GET", f"/v3/payments/{quote(reference, safe='')}"))

    def _payment_or_none(self, payment_id, client) -> dict | None:
        response = self._send(client, "GET", f"/v3/payments/{quote(payment_id, safe='')}")
        if response.status_code == 404:
            return None  # a made-up id in a notification says nothing about YooKassa's health
        return self._answer(response)

    def _send(self, client, method, path, body=None, idempotency_key=""):
        shop_id, secret = provider_secret(self.provider, "SHOP_ID"), provider_secret(self.provider, "SECRET_KEY")
        if not shop_id or not secret:
            raise Misconfigured(f"{self.provider.code}: shop id or secret key environment variable is not set")
        headers = {"Idempotence-Key": idempotency_key} if idempotency_key else {}
        return client.request(method, path, json=body, headers=headers, auth=(shop_id, secret))

    def _answer(self, response) -> dict:
        check_response(response)  # 401/403 -> Misconfigured, 429/5xx -> Unavailable
        status = response.status_code
        if status == 200:
            return json_object(response)
        if status == 202:  # "still processing: repeat with the same Idempotence-Key later"
            raise Indeterminate("YooKassa is still processing the request")
        body = json_or_empty(response)
        detail = " ".join(str(body.get(name, "")) for name in ("code", "description", "parameter")).strip()
        raise refusal("yookassa", status, str(body.get("parameter", "")), str(body.get("code", "")),
                      message=f"YooKassa refused the request: HTTP {status} {detail}".strip())


def _reason(obj: dict) -> str:
    details = obj.get("cancellation_details")
    return str(details.get("reason", "")) if isinstance(details, dict) else ""


def payment_status(payment: dict) -> PaymentStatus:
    reference, status = text(payment, "id"), payment.get("status")
    amount = money_from(payment.get("amount"))
    if status in ("pending", "waiting_for_capture"):
        state = PaymentState.PENDING
    elif status == "succeeded":
        refunded = money_from(payment.get("refunded_amount"))
        fully = refunded is not None and amount is not None and refunded.amount >= amount.amount
        state = PaymentState.REFUNDED if fully else PaymentState.SUCCEEDED
    elif status == "canceled":
        state = PaymentState.CANCELLED if _reason(payment) in NOT_ATTEMPTED else PaymentState.FAILED
    else:
        raise Unavailable(f"unknown payment status {status!r}")
    return PaymentStatus(state, reference=reference, amount=amount, charge_reference=reference)
