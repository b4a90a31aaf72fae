"""A CDEK API v2 fake: OAuth token, tariff list, delivery points, orders (asynchronous, like CDEK's), a ledger.

    fake = FakeCdek(client_id="cdek-demo", client_secret="cdek-demo-secret").start()
    POST /v2/oauth/token          grant_type=client_credentials&client_id=..&client_secret=.. (form or query)
    POST /v2/calculator/tarifflist (price: base + per kg + 1.00 per the first digit of to_location.postal_code)
    GET /v2/deliverypoints?city_code=|postal_code=   GET /v2/location/cities?city=
    POST /v2/orders (202: entity uuid + request ACCEPTED)   GET /v2/orders/{uuid}   GET /v2/orders?im_number=
    DELETE /v2/orders/{uuid}

Every /v2 call but the token needs "Authorization: Bearer <token>"; a token expires after `token_ttl` seconds.
An order is registered (cdek_number assigned, request SUCCESSFUL) when it is first read back, as CDEK finishes
registering in the background. A second order with the same `number` is refused (v2_entity_already_exists).

Faults: FakeServer's (ok, status, slow, hang, reset, malformed) hit every request; hosted.py's reset_after /
hang_after act first (the order is registered) and then lose the answer; `expired_token` revokes every token
issued so far (the next call gets 401, as when a token expires early). `undeliverable` holds postcodes the
calculator refuses. `fake.ledger.shipments` is the ground truth for "exactly one shipment per order".
Run one: python -m steadfast.fakes.cdek --port 8821
"""

import json
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

from steadfast.fakes.hosted import HostedGatewayFake, form, header, run
from steadfast.fakes.server import FakeRequest, FakeResponse

# tariff code -> (name, delivery_mode, base price, price per started kg, days min, days max)
TARIFFS = {
    136: ("Parcel warehouse-warehouse", 4, Decimal("9.50"), Decimal("1.20"), 2, 4),
    137: ("Parcel warehouse-door", 3, Decimal("14.00"), Decimal("1.50"), 2, 5),
    368: ("Parcel warehouse-locker", 7, Decimal("8.00"), Decimal("1.00"), 2, 4),
}
POINTS = [
    {"code": "MSK123", "name": "On Tverskaya", "type": "PVZ", "work_time": "Mon-Sun 09:00-21:00",
     "location": {"city_code": 44, "city": "Moscow", "postal_code": "125009", "country_code": "RU",
                  "address": "Tverskaya 7", "address_full": "Russia, Moscow, Tverskaya 7"}},
    {"code": "MSK456", "name": "Locker at Kievskaya", "type": "POSTAMAT", "work_time": "24/7",
     "location": {"city_code": 44, "city": "Moscow", "postal_code": "121059", "country_code": "RU",
                  "address": "Kievskaya 2", "address_full": "Russia, Moscow, Kievskaya 2"}},
    {"code": "SPB001", "name": "Nevsky", "type": "PVZ", "work_time": "Mon-Sat 10:00-20:00",
     "location": {"city_code": 137, "city": "Saint Petersburg", "postal_code": "191186", "country_code": "RU",
                  "address": "Nevsky 28", "address_full": "Russia, Saint Petersburg, Nevsky 28"}},
]


def _zone(postcode: str) -> Decimal:
    """The fake's distance surcharge: 1.00 per the postcode's first digit (a destination given by city code: 0)."""
    return Decimal(postcode[0]) if postcode[:1].isdigit() else Decimal(0)


def label_pdf(text: str) -> bytes:
    """A small valid one-page PDF saying `text` (ASCII): what carriers send as a label."""
    safe = "".join(ch for ch in text if ch.isascii() and ch not in "()\\")
    stream = f"BT /F1 18 Tf 20 150 Td ({safe}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 298 420] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def _error(status, code, message, request_type=""):
    if request_type:
        return FakeResponse(status, {"requests": [{"request_uuid": str(uuid.uuid4()), "type": request_type,
                                                   "state": "INVALID", "date_time": _now(),
                                                   "errors": [{"code": code, "message": message}]}]})
    return FakeResponse(status, {"errors": [{"code": code, "message": message}]})


@dataclass
class ShipmentLedger:
    shipments: list = field(default_factory=list)  # (order number, uuid) of every order the fake registered
    # order number -> the parcel's sides as the carrier received them, in its own unit (a test asserts on them)
    dimensions: dict = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, number, entity_uuid, dimensions=None):
        with self._lock:
            self.shipments.append((number, entity_uuid))
            if dimensions is not None:
                self.dimensions[number] = dimensions

    def for_number(self, number) -> list:
        with self._lock:
            return [s for s in self.shipments if s[0] == number]


class FakeCdek(HostedGatewayFake):
    def __init__(self, host="127.0.0.1", port=0, webhook_url="", client_id="cdek-demo",
                 client_secret="cdek-demo-secret", token_ttl=3600):
        super().__init__(host, port, webhook_url)
        self.client_id, self.client_secret, self.token_ttl = client_id, client_secret, token_ttl
        self.ledger = ShipmentLedger()
        self.orders = {}  # uuid -> entity
        self.tokens = {}  # token -> expiry (time.time())
        self.tokens_issued = 0
        self.undeliverable = {"000000"}
        self.print_jobs = {}  # uuid -> order uuid

    # --- faults ---------------------------------------------------------------------------------------
    def set_fault(self, mode="ok", **options):
        if mode == "expired_token":
            with self._state_lock:
                self.tokens.clear()
            return super().set_fault("ok")
        return super().set_fault(mode, **options)

    def control(self, request):
        if request.method == "POST":
            try:
                data = request.json()
            except ValueError:
                data = None
            if isinstance(data, dict) and data.get("mode") == "expired_token":
                self.set_fault("expired_token")
                return FakeResponse(200, {"fault": {"mode": "expired_token"}, "requests": self.requests})
        return super().control(request)

    def status_add(self, entity_uuid, code, name, city=""):
        """The parcel moved on (as CDEK's tracking would report it): the newest status comes first. With a
        webhook_url, CDEK's ORDER_STATUS webhook is POSTed there (in the background, as CDEK does)."""
        at = _now()
        with self._state_lock:
            entity = self.orders[entity_uuid]
            entity["statuses"].insert(0, {"code": code, "name": name, "date_time": at, "city": city})
        body = {"type": "ORDER_STATUS", "date_time": at, "uuid": entity_uuid,
                "attributes": {"is_return": False, "cdek_number": entity["cdek_number"], "number": entity["number"],
                               "code": code, "status_code": "", "status_date_time": at, "city_name": city}}
        self.deliver(f"{entity_uuid}:{code}", json.dumps(body).encode(), {})
        return body

    # --- HTTP -----------------------------------------------------------------------------------------
    def handle(self, request: FakeRequest) -> FakeResponse:
        url = urlsplit(request.path)
        path, query = url.path.rstrip("/"), dict(parse_qsl(url.query))
        if path == "/v2/oauth/token" and request.method == "POST":
            return self._token({**query, **form(request)})
        if not path.startswith("/v2/"):
            return super().handle(request)
        token = header(request, "Authorization").removeprefix("Bearer ")
        with self._state_lock:
            valid = self.tokens.get(token, 0) > time.time()
        if not valid:
            return FakeResponse(401, {"requests": [{"state": "INVALID", "errors": [
                {"code": "v2_token_expired", "message": "Token is invalid or expired"}]}]})
        try:
            body = request.json() if request.body else {}
        except ValueError:
            return _error(400, "v2_bad_request", "Request body is not valid JSON")
        parts, method = path.strip("/").split("/"), request.method
        with self._state_lock:
            if parts == ["v2", "calculator", "tarifflist"] and method == "POST":
                return self._tariffs(body if isinstance(body, dict) else {})
            if parts == ["v2", "print", "barcodes"] and method == "POST":
                return self._print(body if isinstance(body, dict) else {})
            if parts[:3] == ["v2", "print", "barcodes"] and len(parts) == 4 and method == "GET":
                return self._printed(parts[3])
            if parts == ["v2", "location", "cities"] and method == "GET":
                return self._cities(query)
            if parts == ["v2", "deliverypoints"] and method == "GET":
                return self._points(query)
            if parts == ["v2", "orders"] and method == "POST":
                return self.finish(self._create(body if isinstance(body, dict) else {}))
            if parts == ["v2", "orders"] and method == "GET":
                found = next((o for o in self.orders.values() if o["number"] == query.get("im_number")), None)
                if found is None:
                    return _error(404, "v2_entity_not_found_im_number", "Order not found by number", "GET")
                return FakeResponse(200, self._read(found))
            if parts[:2] == ["v2", "orders"] and len(parts) == 3 and method in ("GET", "DELETE"):
                entity = self.orders.get(parts[2])
                if entity is None:
                    return _error(404, "v2_entity_not_found", "Order not found", method)
                if method == "DELETE":
                    entity["statuses"].insert(0, {"code": "CANCELED", "name": "Cancelled", "date_time": _now()})
                    return FakeResponse(202, {"entity": {"uuid": entity["uuid"]}, "requests": [
                        {"request_uuid": str(uuid.uuid4()), "type": "DELETE", "state": "ACCEPTED"}]})
                return FakeResponse(200, self._read(entity))
        return _error(404, "v2_not_found", f"{method} {path} is not a CDEK API v2 method")

    def _token(self, data) -> FakeResponse:
        if data.get("grant_type") != "client_credentials" or data.get("client_id") != self.client_id \
                or data.get("client_secret") != self.client_secret:
            return FakeResponse(401, {"error": "invalid_client", "error_description": "Bad credentials"})
        token = secrets.token_urlsafe(24)
        with self._state_lock:
            self.tokens[token] = time.time() + self.token_ttl
            self.tokens_issued += 1
        return FakeResponse(200, {"access_token": token, "token_type": "bearer", "expires_in": self.token_ttl,
                                  "scope": "order:all payment:all", "jti": str(uuid.uuid4())})

    def _tariffs(self, body) -> FakeResponse:
        to, packages = body.get("to_location"), body.get("packages")
        if not isinstance(to, dict) or not (to.get("code") or to.get("postal_code") or to.get("city")):
            return _error(400, "v2_field_is_empty", "to_location is required")
        if not isinstance(packages, list) or not packages or not all(
                isinstance(p, dict) and isinstance(p.get("weight"), int) and p["weight"] > 0 for p in packages):
            return _error(400, "v2_field_is_empty", "packages[].weight (grams) is required")
        if str(to.get("postal_code", "")) in self.undeliverable:
            return FakeResponse(200, {"tariff_codes": [], "errors": [
                {"code": "v2_no_tariffs", "message": "No tariffs for this direction"}]})
        kilos = -(-sum(p["weight"] for p in packages) // 1000)
        zone = _zone(str(to.get("postal_code", "")))
        tariffs = [{"tariff_code": code, "tariff_name": name, "tariff_description": name, "delivery_mode": mode,
                    "delivery_sum": float(base + per_kg * kilos + zone), "period_min": low, "period_max": high,
                    "calendar_min": low, "calendar_max": high + 1}
                   for code, (name, mode, base, per_kg, low, high) in TARIFFS.items()]
        return FakeResponse(200, {"tariff_codes": tariffs})

    def _print(self, body) -> FakeResponse:
        orders = body.get("orders") if isinstance(body.get("orders"), list) else []
        wanted = [o.get("order_uuid") for o in orders if isinstance(o, dict)]
        if not wanted or any(w not in self.orders for w in wanted):
            return _error(400, "v2_entity_not_found", "orders[].order_uuid: order not found", "CREATE")
        job = str(uuid.uuid4())
        self.print_jobs[job] = wanted[0]
        return FakeResponse(202, {"entity": {"uuid": job}, "requests": [
            {"request_uuid": str(uuid.uuid4()), "type": "CREATE", "state": "ACCEPTED", "date_time": _now()}]})

    def _printed(self, name) -> FakeResponse:
        job = name.removesuffix(".pdf")
        if job not in self.print_jobs:
            return _error(404, "v2_entity_not_found", "Print form not found", "GET")
        if name.endswith(".pdf"):
            entity = self.orders[self.print_jobs[job]]
            return FakeResponse(200, label_pdf(f"CDEK {entity['cdek_number']} {entity['number']}"),
                                headers={"Content-Type": "application/pdf"})
        return FakeResponse(200, {"entity": {"uuid": job, "orders": [{"order_uuid": self.print_jobs[job]}],
                                             "url": f"https://api.cdek.ru/v2/print/barcodes/{job}.pdf",
                                             "statuses": [{"code": "READY", "name": "Ready"},
                                                          {"code": "ACCEPTED", "name": "Accepted"}]}})

    def _cities(self, query) -> FakeResponse:
        wanted = query.get("city", "").casefold()
        found = {p["location"]["city_code"]: p["location"] for p in POINTS
                 if not wanted or p["location"]["city"].casefold() == wanted}
        return FakeResponse(200, [{"code": code, "city": loc["city"], "country_code": loc["country_code"]}
                                  for code, loc in found.items()])

    def _points(self, query) -> FakeResponse:
        points = [p for p in POINTS
                  if ("city_code" not in query or str(p["location"]["city_code"]) == query["city_code"])
                  and ("postal_code" not in query or p["location"]["postal_code"] == query["postal_code"])]
        size = int(query["size"]) if query.get("size", "").isdigit() else len(points)
        return FakeResponse(200, points[:size])

    def _create(self, body) -> FakeResponse:
        number = body.get("number")
        if not isinstance(number, str) or not number:
            return _error(400, "v2_field_is_empty", "number is required", "CREATE")
        if body.get("tariff_code") not in TARIFFS:
            return _error(400, "v2_tariff_not_found", "Unknown tariff_code", "CREATE")
        recipient = body.get("recipient")
        if not isinstance(recipient, dict) or not recipient.get("name"):
            return _error(400, "v2_field_is_empty", "recipient.name is required", "CREATE")
        if not body.get("delivery_point") and not isinstance(body.get("to_location"), dict):
            return _error(400, "v2_field_is_empty", "to_location or delivery_point is required", "CREATE")
        if any(o["number"] == number for o in self.orders.values()):
            return _error(400, "v2_entity_already_exists", f"Order with number {number} already exists", "CREATE")
        entity_uuid = str(uuid.uuid4())
        self.orders[entity_uuid] = {"uuid": entity_uuid, "number": number, "tariff_code": body["tariff_code"],
                                    "recipient": recipient, "delivery_point": body.get("delivery_point"),
                                    "to_location": body.get("to_location"), "packages": body.get("packages"),
                                    "cdek_number": None, "statuses": []}
        first = body["packages"][0] if isinstance(body.get("packages"), list) and body["packages"] else {}
        self.ledger.add(number, entity_uuid, {side: first.get(side) for side in ("length", "width", "height")})
        return FakeResponse(202, {"entity": {"uuid": entity_uuid}, "requests": [
            {"request_uuid": str(uuid.uuid4()), "type": "CREATE", "date_time": _now(), "state": "ACCEPTED",
             "errors": [], "warnings": []}]})

    def _read(self, entity) -> dict:
        if entity["cdek_number"] is None:  # registration finished in the background
            entity["cdek_number"] = f"10{len(self.ledger.shipments):08d}"
            entity["statuses"].insert(0, {"code": "CREATED", "name": "Order created", "date_time": _now(),
                                          "city": "Moscow"})
        return {"entity": dict(entity), "requests": [
            {"request_uuid": str(uuid.uuid4()), "type": "CREATE", "state": "SUCCESSFUL", "date_time": _now()}]}


if __name__ == "__main__":
    run(FakeCdek, "Run the CDEK API v2 fake on loopback.", 8821)
