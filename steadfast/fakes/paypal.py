"""A PayPal fake: the part of the Orders v2 REST API the adapter uses, a hosted approval page, verifiable webhooks.

    fake = FakePayPal(client_id="id", client_secret="secret", webhook_id="WH-1").start()
    POST /v1/oauth2/token (Basic auth)       GET /v1/notifications/webhooks
    POST /v1/notifications/verify-webhook-signature
    POST /v2/checkout/orders                 GET /v2/checkout/orders/{id}       POST /v2/checkout/orders/{id}/capture
    POST /v2/payments/captures/{id}/refund   (PayPal-Request-Id honoured on every POST)
    GET  /approve/{order id}: Pay approves the order, Decline approves it with an instrument that will be refused
         at capture, Cancel goes back; then the customer is redirected to return_url?token=<id>&PayerID=...

Faults: see fakes/hosted.py. Here `decline` makes the next capture fail with INSTRUMENT_DECLINED, and
`bad_signature` the next verify-webhook-signature answer FAILURE. Run one: python -m steadfast.fakes.paypal
"""

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import time
import uuid
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from steadfast.fakes.hosted import HostedGatewayFake, form, header, page, redirect, run, with_query
from steadfast.fakes.server import FakeRequest, FakeResponse


def _error(status, name, issue, message=""):
    return FakeResponse(status, {"name": name, "message": message or name, "details": [{"issue": issue}],
                                 "debug_id": secrets.token_hex(6)})


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _id() -> str:
    return secrets.token_hex(9).upper()[:17]


class FakePayPal(HostedGatewayFake):
    def __init__(self, host="127.0.0.1", port=0, webhook_url="", client_id="fake-client-id",
                 client_secret="fake-client-secret", webhook_id="WH-FAKE-0001", token_ttl=32400):
        super().__init__(host, port, webhook_url)
        self.client_id, self.client_secret, self.webhook_id, self.token_ttl = (
            client_id, client_secret, webhook_id, token_ttl)
        self.orders, self.captures, self.tokens, self.events = {}, {}, {}, []
        self._private = {}  # order id -> return/cancel URLs, our key, whether the payer's instrument declines
        self._sent = {}  # transmission id -> (signature, webhook id, event) of each webhook this fake signed
        self._signing_key = secrets.token_bytes(32)

    # --- HTTP ----------------------------------------------------------------------------------------
    def handle(self, request: FakeRequest) -> FakeResponse:
        path = request.path.split("?", 1)[0].rstrip("/")
        if path.startswith("/approve/"):
            return self._approve_page(request, path.removeprefix("/approve/"))
        if path == "/v1/oauth2/token" and request.method == "POST":
            return self._token(request)
        if not path.startswith(("/v1/", "/v2/")):
            return super().handle(request)
        if not self._authorised(request):
            return FakeResponse(401, {"error": "invalid_token", "error_description": "Token verification failed"})
        if path == "/v1/notifications/verify-webhook-signature" and request.method == "POST":
            return self._verify(request)
        request_id = header(request, "PayPal-Request-Id")
        if request.method == "POST" and request_id:
            response = self.idempotent(path, request_id, request, lambda: self._route(request, path))
        else:
            response = self._route(request, path)
        return self.finish(response)

    def _route(self, request, path) -> FakeResponse:
        parts, method = path.strip("/").split("/"), request.method
        try:
            body = request.json() if request.body else {}
        except ValueError:
            return _error(400, "INVALID_REQUEST", "MALFORMED_REQUEST_JSON")
        with self._state_lock:
            if parts == ["v1", "notifications", "webhooks"] and method == "GET":
                return FakeResponse(200, {"webhooks": [{"id": self.webhook_id, "url": self.webhook_url,
                                                         "event_types": [{"name": "*"}]}]})
            if parts == ["v2", "checkout", "orders"] and method == "POST":
                return self._create(body)
            if parts[:3] == ["v2", "checkout", "orders"] and len(parts) >= 4:
                order = self.orders.get(parts[3])
                if order is None:
                    return _error(404, "RESOURCE_NOT_FOUND", "INVALID_RESOURCE_ID")
                if len(parts) == 4 and method == "GET":
                    return FakeResponse(200, order)
                if parts[4:] == ["capture"] and method == "POST":
                    return self._capture(order)
            if parts[:3] == ["v2", "payments", "captures"] and parts[4:] == ["refund"] and method == "POST":
                return self._refund(parts[3], body)
        return _error(404, "RESOURCE_NOT_FOUND", "INVALID_RESOURCE_ID", f"{method} {path}")

    def _token(self, request) -> FakeResponse:
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if header(request, "Authorization") != f"Basic {expected}":
            return FakeResponse(401, {"error": "invalid_client", "error_description": "Client Authentication failed"})
        if form(request).get("grant_type") != "client_credentials":
            return FakeResponse(400, {"error": "unsupported_grant_type", "error_description": "grant_type"})
        token = f"A21AA{secrets.token_urlsafe(24)}"
        with self._state_lock:
            self.tokens[token] = time.time() + self.token_ttl
        return FakeResponse(200, {"scope": "https://uri.paypal.com/services/payments/payment", "access_token": token,
                                  "token_type": "Bearer", "app_id": "APP-FAKE", "expires_in": self.token_ttl})

    def _authorised(self, request) -> bool:
        token = header(request, "Authorization").removeprefix("Bearer ")
        with self._state_lock:
            return self.tokens.get(token, 0) > time.time()

    # --- orders ----------------------------------------------------------------------------------------
    def _create(self, body) -> FakeResponse:
        try:
            unit = body["purchase_units"][0]
            amount = {"currency_code": str(unit["amount"]["currency_code"]), "value": str(unit["amount"]["value"])}
            if Decimal(amount["value"]) <= 0 or body["intent"] != "CAPTURE":
                raise ValueError
            context = body.get("application_context") or body["payment_source"]["paypal"]["experience_context"]
            return_url, cancel_url = str(context["return_url"]), str(context["cancel_url"])
        except (KeyError, IndexError, TypeError, ValueError, InvalidOperation):
            return _error(400, "INVALID_REQUEST", "MISSING_REQUIRED_PARAMETER")
        order_id = _id()
        order = {
            "id": order_id, "intent": "CAPTURE", "status": "CREATED", "create_time": _now(),
            "purchase_units": [{key: unit[key] for key in ("reference_id", "custom_id", "invoice_id", "description")
                                if key in unit} | {"amount": amount}],
            "links": [
                {"href": f"{self.url}/v2/checkout/orders/{order_id}", "rel": "self", "method": "GET"},
                {"href": f"{self.url}/approve/{order_id}", "rel": "approve", "method": "GET"},
                {"href": f"{self.url}/v2/checkout/orders/{order_id}/capture", "rel": "capture", "method": "POST"},
            ],
        }
        self.orders[order_id] = order
        self._private[order_id] = {"return_url": return_url, "cancel_url": cancel_url,
                                   "key": str(unit.get("custom_id", "")), "declines": False}
        return FakeResponse(201, order)

    def _capture(self, order) -> FakeResponse:
        if order["status"] == "COMPLETED":
            return _error(422, "UNPROCESSABLE_ENTITY", "ORDER_ALREADY_CAPTURED")
        if order["status"] != "APPROVED":
            return _error(422, "UNPROCESSABLE_ENTITY", "ORDER_NOT_APPROVED")
        private, unit = self._private[order["id"]], order["purchase_units"][0]
        amount = unit["amount"]
        capture_id = _id()
        if private["declines"] or self.take_fault("decline"):
            self.ledger.charge(private["key"], capture_id, amount["value"], amount["currency_code"], succeeded=False)
            return _error(422, "UNPROCESSABLE_ENTITY", "INSTRUMENT_DECLINED",
                          "The instrument presented was either declined by the processor or bank.")
        capture = {"id": capture_id, "status": "COMPLETED", "amount": dict(amount), "final_capture": True,
                   "custom_id": unit.get("custom_id", ""), "invoice_id": unit.get("invoice_id", ""),
                   "create_time": _now(), "supplementary_data": {"related_ids": {"order_id": order["id"]}}}
        unit["payments"] = {"captures": [capture]}
        order["status"] = "COMPLETED"
        self.captures[capture_id] = order["id"]
        self.ledger.charge(private["key"], capture_id, amount["value"], amount["currency_code"])
        self.send_event("PAYMENT.CAPTURE.COMPLETED", dict(capture))
        return FakeResponse(201, order)

    def _refund(self, capture_id, body) -> FakeResponse:
        order = self.orders.get(self.captures.get(capture_id, ""))
        if order is None:
            return _error(404, "RESOURCE_NOT_FOUND", "INVALID_RESOURCE_ID")
        capture = order["purchase_units"][0]["payments"]["captures"][0]
        charge = next(c for c in self.ledger.successful() if c.reference == capture_id)
        try:
            amount = Decimal(str(body["amount"]["value"])) if body.get("amount") else charge.amount - charge.refunded
        except (KeyError, TypeError, InvalidOperation):
            return _error(400, "INVALID_REQUEST", "INVALID_PARAMETER_VALUE")
        if amount <= 0 or charge.refunded + amount > charge.amount:
            return _error(422, "UNPROCESSABLE_ENTITY", "REFUND_AMOUNT_EXCEEDED")
        refund = {"id": _id(), "status": "COMPLETED", "create_time": _now(),
                  "amount": {"currency_code": charge.currency, "value": f"{amount:.2f}"}}
        self.ledger.refund(refund["id"], capture_id, amount)
        capture["status"] = "REFUNDED" if charge.refunded >= charge.amount else "PARTIALLY_REFUNDED"
        return FakeResponse(201, refund)

    # --- the hosted approval page ------------------------------------------------------------------------
    def _approve_page(self, request, order_id) -> FakeResponse:
        with self._state_lock:
            order, private = self.orders.get(order_id), self._private.get(order_id)
            if order is None:
                return FakeResponse(404, "<h1>Unknown order</h1>", {"Content-Type": "text/html"})
            action = form(request).get("action")
            if action == "cancel":
                return redirect(with_query(private["cancel_url"], token=order_id))
            if action in ("pay", "decline") and order["status"] in ("CREATED", "APPROVED"):
                order["status"] = "APPROVED"
                order["payer"] = {"payer_id": "FAKEPAYER", "email_address": "buyer@example.com"}
                private["declines"] = action == "decline"  # the payer's card will be refused at capture
                event = self._event("CHECKOUT.ORDER.APPROVED", dict(order))
            else:
                event = None
        if event is not None:
            self._deliver(event)
            return redirect(with_query(private["return_url"], token=order_id, PayerID="FAKEPAYER"))
        amount = order["purchase_units"][0]["amount"]
        buttons = [("pay", "Pay"), ("decline", "Decline"), ("cancel", "Cancel and return")]
        return page("Fake PayPal", f"Pay {amount['value']} {amount['currency_code']}",
                    [f"Order {order_id} ({order['status']})"], buttons if order["status"] == "CREATED" else [])

    # --- webhooks ----------------------------------------------------------------------------------------
    def _event(self, kind, resource) -> dict:
        event = {"id": f"WH-{uuid.uuid4().hex[:20].upper()}", "event_version": "1.0", "create_time": _now(),
                 "resource_type": "capture" if kind.startswith("PAYMENT.CAPTURE") else "checkout-order",
                 "event_type": kind, "summary": kind, "resource": resource}
        self.events.append(event)
        return event

    def send_event(self, kind, resource):
        self._deliver(self._event(kind, resource))

    def _deliver(self, event):
        body, headers = self.webhook_request(event)
        self.deliver(event["id"], body, headers)

    def webhook_request(self, event: dict, transmitted: str | None = None, webhook_id: str | None = None):
        """The body and headers of a webhook delivery of `event`, signed as this fake signs them."""
        body = json.dumps(event).encode()
        transmission_id, transmitted = str(uuid.uuid4()), transmitted or _now()
        webhook_id = webhook_id or self.webhook_id
        message = f"{transmission_id}|{transmitted}|{webhook_id}|{binascii.crc32(body)}".encode()
        signature = base64.b64encode(hmac.new(self._signing_key, message, hashlib.sha256).digest()).decode()
        with self._state_lock:
            self._sent[transmission_id] = (signature, webhook_id, json.loads(body))
        return body, {
            "PAYPAL-TRANSMISSION-ID": transmission_id, "PAYPAL-TRANSMISSION-TIME": transmitted,
            "PAYPAL-TRANSMISSION-SIG": signature, "PAYPAL-AUTH-ALGO": "SHA256withRSA",
            "PAYPAL-CERT-URL": f"{self.url}/v1/notifications/certs/CERT-FAKE",
        }

    def _verify(self, request) -> FakeResponse:
        """Like PayPal: SUCCESS only for an event this fake sent, unchanged, for the webhook id it was sent to."""
        try:
            body = request.json()
            claim = (body["transmission_sig"], body["webhook_id"], body["webhook_event"])
            transmission_id = body["transmission_id"]
            if not all(body.get(name) for name in ("transmission_time", "cert_url", "auth_algo")):
                raise KeyError
        except (ValueError, KeyError, TypeError):
            return _error(400, "INVALID_REQUEST", "MISSING_REQUIRED_PARAMETER")
        with self._state_lock:
            genuine = self._sent.get(transmission_id) == claim and claim[1] == self.webhook_id
        if self.take_fault("bad_signature"):
            genuine = False
        return FakeResponse(200, {"verification_status": "SUCCESS" if genuine else "FAILURE"})


if __name__ == "__main__":
    run(FakePayPal, "Run the PayPal fake on loopback.", 8803)
