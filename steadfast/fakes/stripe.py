"""A Stripe fake: the part of Stripe's HTTP API the adapter uses, a hosted pay page, and signed webhooks.

    fake = FakeStripe(webhook_url="http://127.0.0.1:8000/payments/webhooks/stripe/", webhook_secret="whsec_x").start()
    POST /v1/checkout/sessions (form-encoded, Idempotency-Key honoured)   GET /v1/checkout/sessions/{id}
    POST /v1/checkout/sessions/{id}/expire   POST /v1/refunds   GET /v1/balance
    POST /v1/payment_intents (confirm=true with a test card such as pm_card_visa charges at once: the daily test)
    GET  /pay/{session id}: the hosted page with Pay / Decline buttons; Pay makes the charge, sends the signed
         checkout.session.completed webhook, then redirects the customer to success_url.

Faults: everything FakeServer offers (status, slow, hang, reset, malformed), plus the Stripe ones:
    decline        the next session create answers 402 card_declined
    reset_after    the API request is carried out (session created, charge made), then the connection is reset
    hang_after     carried out, then no answer until the client's read timeout
    bad_signature  webhooks go out with a wrong signature
    refund_refused refunds are refused as Stripe does when the balance cannot cover them (400 balance_insufficient)
`fake.charges()` lists every charge (payment intent) with what was refunded: the ground truth for "never twice".
"""

import hashlib
import html
import itertools
import json
import threading
import time
from urllib.parse import parse_qsl

import httpx

from steadfast.fakes.server import FakeRequest, FakeResponse, FakeServer, Fault
from steadfast.payments.gateways.stripe import sign

STRIPE_MODES = ("decline", "reset_after", "hang_after", "bad_signature", "refund_refused")
TEST_CARDS = ("pm_card_visa", "pm_card_mastercard", "pm_card_chargeDeclined")


def _error(status, kind, message, code=""):
    return FakeResponse(status, {"error": {"type": kind, "code": code, "message": message}})


class FakeStripe(FakeServer):
    def __init__(self, host="127.0.0.1", port=0, webhook_url="", webhook_secret="", api_key=""):
        super().__init__(host, port)
        self.webhook_url, self.webhook_secret, self.api_key = webhook_url, webhook_secret, api_key
        self.sessions, self.intents, self.refunds, self.events = {}, {}, {}, []
        self.webhook_failures = []
        self._idempotent = {}  # key -> (params hash, FakeResponse)
        self._stripe_fault = Fault()
        self._ids = itertools.count(1)
        self._state_lock = threading.RLock()

    # --- faults -------------------------------------------------------------------------------------
    def set_fault(self, mode="ok", **options):
        if mode in STRIPE_MODES:
            times = options.get("times")
            with self._lock:
                self._stripe_fault = Fault(mode, times=None if times is None else int(times))
                self._fault = Fault()
            return self._stripe_fault
        with self._lock:
            self._stripe_fault = Fault()
        return super().set_fault(mode, **options)

    def _take(self, *modes) -> str:
        with self._lock:
            fault = self._stripe_fault
            if fault.mode not in modes:
                return ""
            if fault.times is not None:
                self._stripe_fault = Fault() if fault.times == 1 else Fault(fault.mode, times=fault.times - 1)
            return fault.mode

    def control(self, request):
        if request.method == "POST":
            try:
                data = request.json()
                if isinstance(data, dict) and data.get("mode") in STRIPE_MODES:
                    self.set_fault(data["mode"], times=data.get("times"))
                    return FakeResponse(200, {"fault": self._stripe_fault.__dict__, "requests": self.requests})
            except ValueError as error:
                return FakeResponse(400, {"error": str(error)})
        response = super().control(request)
        if request.method == "POST" and response.status == 200:
            with self._lock:  # any other mode (e.g. "ok" ending a fire drill) replaces a Stripe fault too
                self._stripe_fault = Fault()
        return response

    # --- ground truth for tests -----------------------------------------------------------------------
    def charges(self) -> list[dict]:
        with self._state_lock:
            return [dict(intent) for intent in self.intents.values()]

    def _id(self, prefix):
        return f"{prefix}_test_{next(self._ids):06d}{hashlib.sha1(str(time.time()).encode()).hexdigest()[:8]}"

    # --- HTTP ----------------------------------------------------------------------------------------
    def handle(self, request: FakeRequest) -> FakeResponse:
        path = request.path.split("?", 1)[0].rstrip("/")
        if path.startswith("/pay/"):
            return self._pay_page(request, path.removeprefix("/pay/"))
        if not path.startswith("/v1/"):
            return super().handle(request)
        if self.api_key and request.headers.get("Authorization") != f"Bearer {self.api_key}":
            return _error(401, "invalid_request_error", "Invalid API Key provided.")
        if request.method == "POST" and request.headers.get("Idempotency-Key"):
            response = self._idempotent_post(request, path)
        else:
            response = self._route(request, path)
        drop = self._take("reset_after", "hang_after")
        if drop:
            response = FakeResponse(response.status, response.body, response.headers, drop=drop.removesuffix("_after"))
        return response

    def _idempotent_post(self, request, path) -> FakeResponse:
        key = request.headers["Idempotency-Key"]
        digest = hashlib.sha256(path.encode() + b"\0" + request.body).hexdigest()
        with self._state_lock:
            seen = self._idempotent.get(key)
            if seen is not None:
                if seen[0] != digest:
                    return _error(400, "idempotency_error", "Keys for idempotent requests can only be used with "
                                  "the same parameters they were first used with.")
                return FakeResponse(seen[1].status, seen[1].body, {"Idempotent-Replayed": "true"})
            response = self._route(request, path)
            if response.status < 500:  # like Stripe: a 5xx is not saved, the retry runs again
                self._idempotent[key] = (digest, response)
            return response

    def _route(self, request, path) -> FakeResponse:
        params = dict(parse_qsl(request.body.decode(), keep_blank_values=True))
        parts = path.split("/")[2:]  # after "/v1"
        with self._state_lock:
            if parts == ["balance"] and request.method == "GET":
                return FakeResponse(200, {"object": "balance", "available": [], "livemode": False})
            if parts == ["checkout", "sessions"] and request.method == "POST":
                return self._session_create(params)
            if len(parts) >= 3 and parts[:2] == ["checkout", "sessions"]:
                session = self.sessions.get(parts[2])
                if session is None:
                    return _error(404, "invalid_request_error", f"No such checkout.session: '{parts[2]}'",
                                  "resource_missing")
                if len(parts) == 3 and request.method == "GET":
                    return FakeResponse(200, dict(session))
                if parts[3:] == ["expire"] and request.method == "POST":
                    if session["status"] != "open":
                        return _error(400, "invalid_request_error", "Only open sessions can be expired.")
                    session["status"] = "expired"
                    return FakeResponse(200, dict(session))
            if parts == ["refunds"] and request.method == "POST":
                return self._refund(params)
            if parts == ["payment_intents"] and request.method == "POST":
                return self._intent_create(params)
        return _error(404, "invalid_request_error", f"Unrecognized request URL ({request.method}: {path})")

    def _session_create(self, params) -> FakeResponse:
        if self._take("decline"):
            return _error(402, "card_error", "Your card was declined.", "card_declined")
        try:
            amount = int(params["line_items[0][price_data][unit_amount]"])
            currency = params["line_items[0][price_data][currency]"]
            success_url, cancel_url = params["success_url"], params["cancel_url"]
        except (KeyError, ValueError):
            return _error(400, "invalid_request_error", "Missing required param.", "parameter_missing")
        session_id = self._id("cs")
        session = {
            "id": session_id, "object": "checkout.session", "mode": "payment", "status": "open",
            "payment_status": "unpaid", "amount_total": amount, "currency": currency, "payment_intent": None,
            "client_reference_id": params.get("client_reference_id"), "customer_email": params.get("customer_email"),
            "success_url": success_url, "cancel_url": cancel_url, "url": f"{self.url}/pay/{session_id}",
            "metadata": {k[9:-1]: v for k, v in params.items() if k.startswith("metadata[")}, "livemode": False,
        }
        self.sessions[session_id] = session
        return FakeResponse(200, dict(session))

    def _intent_create(self, params) -> FakeResponse:
        """A direct PaymentIntent (the daily test): confirm=true with a test card charges at once."""
        if self._take("decline") or params.get("payment_method") == "pm_card_chargeDeclined":
            return _error(402, "card_error", "Your card was declined.", "card_declined")
        try:
            amount, currency = int(params["amount"]), params["currency"]
        except (KeyError, ValueError):
            return _error(400, "invalid_request_error", "Missing required param: amount.", "parameter_missing")
        if params.get("payment_method") not in TEST_CARDS:
            return _error(400, "invalid_request_error", "No such PaymentMethod.", "resource_missing")
        intent_id = self._id("pi")
        status = "requires_confirmation"
        if params.get("confirm") == "true":
            status = "succeeded"
            self.intents[intent_id] = {"id": intent_id, "amount": amount, "currency": currency, "refunded": 0,
                                       "order": None, "session": None, "description": params.get("description")}
        return FakeResponse(200, {"id": intent_id, "object": "payment_intent", "amount": amount, "currency": currency,
                                  "status": status, "payment_method": params["payment_method"], "livemode": False})

    def _refund(self, params) -> FakeResponse:
        if self._take("refund_refused"):
            return _error(400, "invalid_request_error", "Insufficient funds in your Stripe balance to refund this "
                          "amount.", "balance_insufficient")
        intent = self.intents.get(params.get("payment_intent", ""))
        if intent is None:
            return _error(404, "invalid_request_error", "No such payment_intent.", "resource_missing")
        amount = int(params.get("amount") or intent["amount"] - intent["refunded"])
        if amount < 1 or intent["refunded"] + amount > intent["amount"]:
            return _error(400, "invalid_request_error", "Refund exceeds the charge.", "charge_already_refunded")
        intent["refunded"] += amount
        refund = {"id": self._id("re"), "object": "refund", "amount": amount, "payment_intent": intent["id"],
                  "status": "succeeded", "currency": intent["currency"]}
        self.refunds[refund["id"]] = refund
        return FakeResponse(200, refund)

    # --- the hosted page ------------------------------------------------------------------------------
    def _pay_page(self, request, session_id) -> FakeResponse:
        with self._state_lock:
            session = self.sessions.get(session_id)
            if session is None:
                return FakeResponse(404, "<h1>Unknown checkout session</h1>", {"Content-Type": "text/html"})
            action = dict(parse_qsl(request.body.decode())).get("action") if request.method == "POST" else None
            if action == "cancel":
                return FakeResponse(303, "", {"Location": session["cancel_url"]})
            event = None
            if action == "pay" and session["status"] == "open":
                self._charge(session)
                event = self._event("checkout.session.completed", session)
        if event is not None:
            self.send_event(event)  # before the redirect, as Stripe usually manages; the return does not rely on it
            return FakeResponse(303, "", {"Location": session["success_url"]})
        return FakeResponse(200, self._page(session, declined=action == "decline"), {"Content-Type": "text/html"})

    def _charge(self, session):
        intent_id = self._id("pi")
        self.intents[intent_id] = {"id": intent_id, "amount": session["amount_total"], "currency": session["currency"],
                                   "refunded": 0, "order": session["client_reference_id"], "session": session["id"]}
        session.update(status="complete", payment_status="paid", payment_intent=intent_id)

    def _page(self, session, declined=False) -> str:
        amount = f"{session['amount_total'] / 100:.2f} {session['currency'].upper()}"
        state = "Paid" if session["payment_status"] == "paid" else session["status"]
        notice = "<p role='alert'>Your card was declined. Try again or go back.</p>" if declined else ""
        buttons = "".join(
            f"<button name='action' value='{name}'>{label}</button> " for name, label in
            (("pay", "Pay"), ("decline", "Decline"), ("cancel", "Back to the shop"))
        ) if session["status"] == "open" else ""
        return (f"<!doctype html><title>Fake Stripe Checkout</title><h1>Pay {html.escape(amount)}</h1>"
                f"<p>Order {html.escape(str(session['client_reference_id']))} ({html.escape(state)})</p>{notice}"
                f"<form method='post'>{buttons}</form>")

    # --- webhooks -------------------------------------------------------------------------------------
    def _event(self, kind, session) -> dict:
        event = {"id": self._id("evt"), "object": "event", "type": kind, "created": int(time.time()),
                 "data": {"object": dict(session)}, "livemode": False}
        self.events.append(event)
        return event

    def event_request(self, event, timestamp=None, secret=None) -> tuple[bytes, str]:
        """The body and Stripe-Signature header for an event, as this fake would send them."""
        body = json.dumps(event).encode()
        signature = sign(body, secret or self.webhook_secret, int(time.time()) if timestamp is None else timestamp)
        if self._take("bad_signature"):
            signature = sign(body, "whsec_wrong", int(time.time()))
        return body, signature

    def send_event(self, event, timestamp=None) -> int | None:
        """POST the signed event to webhook_url; returns the shop's status (None: not delivered)."""
        if not self.webhook_url:
            return None
        body, signature = self.event_request(event, timestamp)
        headers = {"Stripe-Signature": signature, "Content-Type": "application/json"}
        try:
            with httpx.Client(timeout=10, trust_env=False) as client:
                status = client.post(self.webhook_url, content=body, headers=headers).status_code
        except httpx.HTTPError as error:
            self.webhook_failures.append((event["id"], type(error).__name__))
            return None
        if status >= 300:
            self.webhook_failures.append((event["id"], status))
        return status
