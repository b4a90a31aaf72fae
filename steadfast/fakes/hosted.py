"""What the PayPal and YooKassa fakes share: gateway faults, idempotency, a ledger of charges, the hosted page.

Faults, on top of FakeServer's (ok, status, slow, hang, reset, malformed), which hit every request before the fake
looks at it:
    decline        the next payment the fake would take is declined (which request: see each fake)
    reset_after    the next API request is carried out (order created, charge made), then the connection is reset
    hang_after     carried out, then no answer until the client's read timeout
    bad_signature  the next webhook verification fails (PayPal)
Switch them like the others: fake.set_fault("reset_after", times=1) or POST /__fault__ {"mode": "reset_after"}.

`fake.ledger` is the ground truth for "never twice": every charge the fake made (or declined) with the idempotency
key of the payment it belongs to, and every refund.
"""

import argparse
import hashlib
import html
import threading
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import parse_qsl

import httpx

from steadfast.fakes.server import FakeRequest, FakeResponse, FakeServer, Fault

GATEWAY_MODES = ("decline", "reset_after", "hang_after", "bad_signature")


@dataclass
class Charge:
    key: str  # our idempotency key (Payment.key), as the shop sent it when creating the payment
    reference: str  # the fake's id of the charge (PayPal capture id, YooKassa payment id)
    amount: Decimal
    currency: str
    succeeded: bool
    refunded: Decimal = Decimal("0")


@dataclass
class Ledger:
    charges: list = field(default_factory=list)
    refunds: list = field(default_factory=list)  # (refund id, charge reference, amount)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def charge(self, key, reference, amount, currency, succeeded=True) -> Charge:
        with self._lock:
            charge = Charge(key, reference, Decimal(amount), currency, succeeded)
            self.charges.append(charge)
            return charge

    def refund(self, refund_id, reference, amount):
        with self._lock:
            charge = next(c for c in self.charges if c.reference == reference and c.succeeded)
            charge.refunded += Decimal(amount)
            self.refunds.append((refund_id, reference, Decimal(amount)))

    def successful(self, key=None) -> list[Charge]:
        with self._lock:
            return [c for c in self.charges if c.succeeded and (key is None or c.key == key)]


def header(request: FakeRequest, name: str) -> str:
    lowered = name.lower()
    return next((value for key, value in request.headers.items() if key.lower() == lowered), "")


def form(request: FakeRequest) -> dict:
    return dict(parse_qsl(request.body.decode(errors="replace"))) if request.method == "POST" else {}


def with_query(url: str, **params) -> str:
    query = "&".join(f"{name}={value}" for name, value in params.items())
    return f"{url}{'&' if '?' in url else '?'}{query}" if query else url


def page(title: str, heading: str, lines: list[str], buttons: list[tuple[str, str]]) -> FakeResponse:
    """The fake's hosted payment page: plain HTML, no scripts, buttons posting action=<name> to the same URL."""
    body = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
    controls = "".join(
        f"<button name='action' value='{name}'>{html.escape(label)}</button> " for name, label in buttons
    )
    return FakeResponse(200, f"<!doctype html><title>{html.escape(title)}</title><h1>{html.escape(heading)}</h1>"
                             f"{body}<form method='post'>{controls}</form>", {"Content-Type": "text/html"})


def redirect(url: str) -> FakeResponse:
    return FakeResponse(303, "", {"Location": url})


class HostedGatewayFake(FakeServer):
    def __init__(self, host="127.0.0.1", port=0, webhook_url=""):
        super().__init__(host, port)
        self.webhook_url = webhook_url
        self.webhook_results = []  # (event id, HTTP status or error class) of every delivery attempt
        self.ledger = Ledger()
        self._gateway_fault = Fault()
        self._idempotent = {}  # (scope, key) -> (request digest, FakeResponse)
        self._state_lock = threading.RLock()

    # --- faults -------------------------------------------------------------------------------------
    def set_fault(self, mode="ok", **options):
        if mode in GATEWAY_MODES:
            times = options.get("times")
            if times is not None and int(times) < 1:
                raise ValueError("times >= 1")
            with self._lock:
                self._gateway_fault = Fault(mode, times=None if times is None else int(times))
                self._fault = Fault()
            return self._gateway_fault
        with self._lock:
            self._gateway_fault = Fault()
        return super().set_fault(mode, **options)

    def take_fault(self, *modes) -> str:
        """The gateway fault for this request if it is one of `modes` (counting it down), else ""."""
        with self._lock:
            fault = self._gateway_fault
            if fault.mode not in modes:
                return ""
            if fault.times is not None:
                self._gateway_fault = Fault() if fault.times == 1 else Fault(fault.mode, times=fault.times - 1)
            return fault.mode

    def control(self, request):
        if request.method == "POST":
            try:
                data = request.json()
                if isinstance(data, dict) and data.get("mode") in GATEWAY_MODES:
                    fault = self.set_fault(data["mode"], times=data.get("times"))
                    return FakeResponse(200, {"fault": fault.__dict__, "requests": self.requests})
            except (ValueError, TypeError) as error:
                return FakeResponse(400, {"error": str(error)})
        response = super().control(request)
        if request.method == "POST" and response.status == 200:
            with self._lock:  # any other mode (e.g. "ok" ending a fire drill) replaces a gateway fault too
                self._gateway_fault = Fault()
        if request.method == "GET" and self._gateway_fault.mode != "ok":
            response.body["fault"] = self._gateway_fault.__dict__
        return response

    def finish(self, response: FakeResponse) -> FakeResponse:
        """Apply reset_after / hang_after to an API answer that has already been acted on."""
        drop = self.take_fault("reset_after", "hang_after")
        if drop:
            return FakeResponse(response.status, response.body, response.headers, drop=drop.removesuffix("_after"))
        return response

    # --- idempotency ----------------------------------------------------------------------------------
    def idempotent(self, scope, key, request, make, conflict=None) -> FakeResponse:
        """Same key -> the same answer (and object), never a second charge. `conflict()` answers a key reused
        with other parameters; without it the first answer is replayed."""
        digest = hashlib.sha256(request.path.encode() + b"\0" + request.body).hexdigest()
        with self._state_lock:
            seen = self._idempotent.get((scope, key))
            if seen is not None:
                if seen[0] != digest and conflict is not None:
                    return conflict()
                return FakeResponse(seen[1].status, seen[1].body, dict(seen[1].headers))
            response = make()
            if response.status < 500:
                self._idempotent[(scope, key)] = (digest, response)
            return response

    # --- webhooks -------------------------------------------------------------------------------------
    def deliver(self, event_id: str, body: bytes, headers: dict):
        """POST a webhook to webhook_url in the background, as a provider does (never while the shop waits)."""
        if not self.webhook_url:
            return
        threading.Thread(target=self._post, args=(event_id, body, headers), daemon=True).start()

    def _post(self, event_id, body, headers):
        try:
            with httpx.Client(timeout=10, trust_env=False) as client:
                status = client.post(self.webhook_url, content=body,
                                     headers={"Content-Type": "application/json", **headers}).status_code
        except httpx.HTTPError as error:
            status = type(error).__name__
        self.webhook_results.append((event_id, status))


def run(fake_class, description: str, default_port: int):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--port", type=int, default=default_port)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--webhook-url", default="", help="where the fake POSTs its webhooks")
    args = parser.parse_args()
    fake = fake_class(args.host, args.port, webhook_url=args.webhook_url).start()
    print(f"{fake_class.__name__} on {fake.url} (POST /__fault__ to inject faults); Ctrl+C stops it", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        fake.stop()
