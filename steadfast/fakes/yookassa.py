"""A YooKassa fake: the part of API v3 the adapter uses, a hosted confirmation page, and notifications.

    fake = FakeYooKassa(shop_id="100500", secret_key="test_secret").start()
    POST /v3/payments   GET /v3/payments/{id}   POST /v3/refunds   GET /v3/me    (HTTP Basic: shop id, secret key;
    every POST needs an Idempotence-Key: the same key and body give the same object, other parameters a 400)
    GET  /approve/{payment id}: Pay makes the charge (payment succeeded), Decline cancels it as the bank would
         (insufficient_funds); either way a notification goes to webhook_url and the customer to return_url.

Faults: see fakes/hosted.py. Here `decline` makes the next created payment come back cancelled at once
(fraud_suspected), as YooKassa does when it refuses a payment outright. Run one: python -m steadfast.fakes.yookassa
"""

import base64
import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from steadfast.fakes.hosted import HostedGatewayFake, form, header, page, redirect, run
from steadfast.fakes.server import FakeRequest, FakeResponse


def _error(status, code, description, parameter=""):
    body = {"type": "error", "id": str(uuid.uuid4()), "code": code, "description": description}
    return FakeResponse(status, body | ({"parameter": parameter} if parameter else {}))


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


class FakeYooKassa(HostedGatewayFake):
    def __init__(self, host="127.0.0.1", port=0, webhook_url="", shop_id="100500", secret_key="test_fake_secret"):
        super().__init__(host, port, webhook_url)
        self.shop_id, self.secret_key = shop_id, secret_key
        self.payments, self.refunds = {}, {}
        self._private = {}  # payment id -> our idempotency key (the shop's Payment.key)

    # --- HTTP ----------------------------------------------------------------------------------------
    def handle(self, request: FakeRequest) -> FakeResponse:
        path = request.path.split("?", 1)[0].rstrip("/")
        if path.startswith("/approve/"):
            return self._approve_page(request, path.removeprefix("/approve/"))
        if not path.startswith("/v3/"):
            return super().handle(request)
        expected = base64.b64encode(f"{self.shop_id}:{self.secret_key}".encode()).decode()
        if header(request, "Authorization") != f"Basic {expected}":
            return _error(401, "invalid_credentials", "Authentication by given credentials failed")
        if request.method == "POST":
            key = header(request, "Idempotence-Key")
            if not key:
                return _error(400, "invalid_request", "Idempotence-Key header is required", "Idempotence-Key")
            conflict = lambda: _error(400, "invalid_request", "Idempotence key duplicated", "Idempotence-Key")  # noqa: E731
            response = self.idempotent(path, key, request, lambda: self._route(request, path), conflict)
        else:
            response = self._route(request, path)
        return self.finish(response)

    def _route(self, request, path) -> FakeResponse:
        parts, method = path.strip("/").split("/"), request.method
        try:
            body = request.json() if request.body else {}
        except ValueError:
            return _error(400, "invalid_request", "Request body is not valid JSON")
        with self._state_lock:
            if parts == ["v3", "me"] and method == "GET":
                return FakeResponse(200, {"account_id": self.shop_id, "test": True, "fiscalization_enabled": False,
                                          "payment_methods": ["bank_card"], "status": "enabled"})
            if parts == ["v3", "payments"] and method == "POST":
                return self._create(body if isinstance(body, dict) else {})
            if parts[:2] == ["v3", "payments"] and len(parts) == 3 and method == "GET":
                payment = self.payments.get(parts[2])
                return FakeResponse(200, payment) if payment else _error(404, "not_found", "Payment not found")
            if parts == ["v3", "refunds"] and method == "POST":
                return self._refund(body if isinstance(body, dict) else {})
        return _error(404, "not_found", f"{method} {path} is not a YooKassa API method")

    # --- payments --------------------------------------------------------------------------------------
    def _create(self, body) -> FakeResponse:
        try:
            amount = {"value": str(body["amount"]["value"]), "currency": str(body["amount"]["currency"])}
            if Decimal(amount["value"]) <= 0 or len(amount["currency"]) != 3:
                raise ValueError
        except (KeyError, TypeError, ValueError, InvalidOperation):
            return _error(400, "invalid_request", "Invalid amount", "amount")
        confirmation = body.get("confirmation")
        if not isinstance(confirmation, dict) or confirmation.get("type") != "redirect" \
                or not confirmation.get("return_url"):
            return _error(400, "invalid_request", "Redirect confirmation needs a return_url", "confirmation")
        payment_id = str(uuid.uuid4())
        metadata = body.get("metadata") if isinstance(body.get("metadata"), dict) else {}
        payment = {
            "id": payment_id, "status": "pending", "paid": False, "amount": amount, "created_at": _now(),
            "description": str(body.get("description", "")), "metadata": metadata, "refundable": False, "test": True,
            "recipient": {"account_id": self.shop_id, "gateway_id": "1000001"},
            "confirmation": {"type": "redirect", "return_url": confirmation["return_url"],
                             "confirmation_url": f"{self.url}/approve/{payment_id}"},
        }
        self._private[payment_id] = str(metadata.get("payment_key", ""))
        if self.take_fault("decline"):
            self._cancel(payment, "yoo_money", "fraud_suspected")
        self.payments[payment_id] = payment
        return FakeResponse(200, payment)

    def _cancel(self, payment, party, reason):
        payment.update(status="canceled", cancellation_details={"party": party, "reason": reason})
        payment.pop("confirmation", None)
        self.ledger.charge(self._private[payment["id"]], payment["id"], payment["amount"]["value"],
                           payment["amount"]["currency"], succeeded=False)

    def _refund(self, body) -> FakeResponse:
        payment = self.payments.get(str(body.get("payment_id", "")))
        if payment is None:
            return _error(400, "invalid_request", "Payment doesn't exist", "payment_id")
        if payment["status"] != "succeeded":
            return _error(400, "invalid_request", "Payment can't be refunded in this status", "payment_id")
        charge = next(c for c in self.ledger.successful() if c.reference == payment["id"])
        try:
            amount = Decimal(str(body["amount"]["value"]))
            if body["amount"]["currency"] != charge.currency:
                raise ValueError
        except (KeyError, TypeError, ValueError, InvalidOperation):
            return _error(400, "invalid_request", "Invalid amount", "amount")
        if amount <= 0 or charge.refunded + amount > charge.amount:
            return _error(400, "invalid_request", "Refund amount exceeds the payment", "amount")
        refund = {"id": str(uuid.uuid4()), "payment_id": payment["id"], "status": "succeeded", "created_at": _now(),
                  "amount": {"value": f"{amount:.2f}", "currency": charge.currency}}
        self.ledger.refund(refund["id"], payment["id"], amount)
        self.refunds[refund["id"]] = refund
        payment["refunded_amount"] = {"value": f"{charge.refunded:.2f}", "currency": charge.currency}
        payment["refundable"] = charge.refunded < charge.amount
        return FakeResponse(200, refund)

    # --- the hosted confirmation page ----------------------------------------------------------------------
    def _approve_page(self, request, payment_id) -> FakeResponse:
        with self._state_lock:
            payment = self.payments.get(payment_id)
            if payment is None:
                return FakeResponse(404, "<h1>Unknown payment</h1>", {"Content-Type": "text/html"})
            return_url = payment.get("confirmation", {}).get("return_url", "")
            action = form(request).get("action")
            changed = action in ("pay", "decline") and payment["status"] == "pending"
            if changed and action == "pay":
                payment.update(status="succeeded", paid=True, captured_at=_now(), refundable=True,
                               income_amount=dict(payment["amount"]),
                               payment_method={"type": "bank_card", "id": payment_id, "saved": False,
                                               "card": {"last4": "4477", "expiry_month": "12", "expiry_year": "2030"}})
                self.ledger.charge(self._private[payment_id], payment_id, payment["amount"]["value"],
                                   payment["amount"]["currency"])
            elif changed:
                self._cancel(payment, "payment_network", "insufficient_funds")
                payment["confirmation"] = {"type": "redirect", "return_url": return_url}
        if changed:
            self.send_notification(payment_id)
            return redirect(return_url)
        amount = payment["amount"]
        buttons = [("pay", "Pay"), ("decline", "Decline")] if payment["status"] == "pending" else []
        return page("Fake YooKassa", f"Pay {amount['value']} {amount['currency']}",
                    [f"{payment['description']} ({payment['status']})"], buttons)

    # --- notifications -----------------------------------------------------------------------------------
    def notification(self, payment_id: str, event: str = "") -> dict:
        """The notification YooKassa sends about a payment's current state."""
        with self._state_lock:
            payment = json.loads(json.dumps(self.payments[payment_id]))
        return {"type": "notification", "event": event or f"payment.{payment['status']}", "object": payment}

    def send_notification(self, payment_id: str):
        note = self.notification(payment_id)
        self.deliver(f"{note['event']}:{payment_id}", json.dumps(note).encode(), {})


if __name__ == "__main__":
    run(FakeYooKassa, "Run the YooKassa fake on loopback.", 8804)
