"""An InPost ShipX fake: points, rates, shipments (label bought asynchronously, like ShipX), tracking, a ledger.

    fake = FakeInPost(api_token="inpost-demo-token", organization_id=1234).start()
    GET  /v1/points?city=|post_code=                        (public)
    GET  /v1/organizations/{id}                             POST /v1/organizations/{id}/shipments/calculate
    POST /v1/organizations/{id}/shipments (201, status "created")
    GET  /v1/organizations/{id}/shipments?reference=        GET /v1/shipments/{id}  DELETE /v1/shipments/{id}
    GET  /v1/tracking/{tracking number}

Every call but points needs "Authorization: Bearer <api_token>". A shipment is "confirmed" (tracking number
assigned) when first read back. Faults as the CDEK fake (server.py's and hosted.py's reset_after / hang_after).
`fake.ledger.shipments` holds (reference, id) of every shipment made, `fake.ledger.dimensions` each one's
parcel dimensions (mm). With `webhook_secret` set, webhooks carry X-InPost-Signature (Base64 HMAC-SHA256 of the
body). Run one: python -m steadfast.fakes.inpost
"""

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

from steadfast.fakes.cdek import ShipmentLedger, label_pdf
from steadfast.fakes.hosted import HostedGatewayFake, header, run
from steadfast.fakes.server import FakeRequest, FakeResponse

PRICES = {"inpost_locker_standard": Decimal("13.99"), "inpost_courier_standard": Decimal("17.99")}
POINTS = [
    {"name": "WAW01M", "type": ["parcel_locker"], "status": "Operating", "opening_hours": "24/7",
     "location_description": "At the Biedronka entrance",
     "address": {"line1": "Marszałkowska 104", "line2": "00-017 Warszawa"},
     "address_details": {"city": "Warszawa", "post_code": "00-017", "street": "Marszałkowska",
                         "building_number": "104"}},
    {"name": "KRA02M", "type": ["parcel_locker"], "status": "Operating", "opening_hours": "24/7",
     "location_description": "Petrol station", "address": {"line1": "Długa 1", "line2": "31-147 Kraków"},
     "address_details": {"city": "Kraków", "post_code": "31-147", "street": "Długa", "building_number": "1"}},
]


def _error(status, error, message, details=None):
    return FakeResponse(status, {"status": status, "error": error, "message": message, "details": details or {}})


def _size_valid(size) -> bool:
    """ShipX parcel dimensions: {"length", "width", "height", "unit": "mm"}, each above 0."""
    return (isinstance(size, dict) and size.get("unit") == "mm"
            and all(isinstance(size.get(side), int | float) and size[side] > 0
                    for side in ("length", "width", "height")))


class FakeInPost(HostedGatewayFake):
    def __init__(self, host="127.0.0.1", port=0, webhook_url="", api_token="inpost-demo-token",
                 organization_id=1234, webhook_secret=""):
        super().__init__(host, port, webhook_url)
        self.api_token, self.organization_id = api_token, organization_id
        self.webhook_secret = webhook_secret  # set: each webhook is signed (X-InPost-Signature, Base64 HMAC-SHA256)
        self.ledger = ShipmentLedger()
        self.shipments = {}

    def status_set(self, shipment_id, status):
        """The parcel moved on; POSTs ShipX's shipment_status_changed webhook to webhook_url (if set)."""
        with self._state_lock:
            shipment = self.shipments[str(shipment_id)]
            shipment["status"] = status
            event = {"event": "shipment_status_changed", "event_ts": datetime.now(UTC).isoformat(),
                     "organization_id": self.organization_id,
                     "payload": {"shipment_id": shipment["id"], "status": status,
                                 "tracking_number": shipment["tracking_number"]}}
        body = json.dumps(event).encode()
        self.deliver(f"{shipment_id}:{status}", body, self.signature_headers(body))
        return event

    def signature_headers(self, body: bytes) -> dict:
        """ShipX's timestamped variant: Base64 HMAC-SHA256 of "<X-InPost-Timestamp>.<body>"."""
        if not self.webhook_secret:
            return {}
        timestamp = datetime.now(UTC).isoformat()
        digest = hmac.new(self.webhook_secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).digest()
        return {"X-InPost-Timestamp": timestamp, "X-InPost-Signature": base64.b64encode(digest).decode()}

    def handle(self, request: FakeRequest) -> FakeResponse:
        url = urlsplit(request.path)
        path, query = url.path.rstrip("/"), dict(parse_qsl(url.query))
        parts, method = path.strip("/").split("/"), request.method
        if parts == ["v1", "points"] and method == "GET":
            return self._points(query)
        if not path.startswith("/v1/"):
            return super().handle(request)
        if header(request, "Authorization") != f"Bearer {self.api_token}":
            return _error(401, "token_invalid", "Token is missing or invalid.")
        try:
            body = request.json() if request.body else {}
        except ValueError:
            return _error(400, "invalid_json", "Body is not JSON.")
        org = ["v1", "organizations", str(self.organization_id)]
        with self._state_lock:
            if parts == org and method == "GET":
                return FakeResponse(200, {"id": self.organization_id, "name": "Fake shop", "status": "confirmed"})
            if parts == [*org, "shipments", "calculate"] and method == "POST":
                return self._calculate(body)
            if parts == [*org, "shipments"] and method == "POST":
                return self.finish(self._create(body if isinstance(body, dict) else {}))
            if parts == [*org, "shipments"] and method == "GET":
                items = [self._read(s) for s in self.shipments.values()
                         if "reference" not in query or s["reference"] == query["reference"]]
                return FakeResponse(200, {"items": items, "count": len(items), "page": 1, "per_page": 100})
            if parts[:2] == ["v1", "shipments"] and len(parts) == 4 and parts[3] == "label" and method == "GET":
                shipment = self.shipments.get(parts[2])
                if shipment is None or not shipment["tracking_number"]:
                    return _error(404, "resource_not_found", "Label not available.")
                return FakeResponse(200, label_pdf(f"InPost {shipment['tracking_number']} {shipment['reference']}"),
                                    headers={"Content-Type": "application/pdf"})
            if parts[:2] == ["v1", "shipments"] and len(parts) == 3:
                shipment = self.shipments.get(parts[2])
                if shipment is None:
                    return _error(404, "resource_not_found", "Shipment not found.")
                if method == "DELETE":
                    if shipment["status"] not in ("created", "offers_prepared"):
                        return _error(400, "invalid_action", "Shipment can not be cancelled in this status.")
                    shipment["status"] = "cancelled"
                    return FakeResponse(204, b"")
                return FakeResponse(200, self._read(shipment))
            if parts[:2] == ["v1", "tracking"] and len(parts) == 3:
                found = next((s for s in self.shipments.values() if s["tracking_number"] == parts[2]), None)
                if found is None:
                    return _error(404, "resource_not_found", "Tracking number not found.")
                return FakeResponse(200, {"tracking_number": parts[2], "status": found["status"],
                                          "tracking_details": [{"status": found["status"],
                                                                "datetime": found["created_at"]}]})
        return _error(404, "resource_not_found", f"{method} {path} is not a ShipX method.")

    def _points(self, query):
        items = [p for p in POINTS if ("city" not in query or p["address_details"]["city"] == query["city"])
                 and ("post_code" not in query or p["address_details"]["post_code"] == query["post_code"])]
        return FakeResponse(200, {"items": items, "count": len(items), "page": 1, "per_page": 25, "total_pages": 1})

    def _calculate(self, body):
        if not isinstance(body, list):
            return _error(400, "validation_failed", "Expected a list of shipments.")
        rows = []
        for item in body:
            service = item.get("service") if isinstance(item, dict) else None
            post_code = ((item.get("receiver") or {}).get("address") or {}).get("post_code", "") \
                if isinstance(item, dict) else ""
            if service not in PRICES or post_code == "00-000":
                rows.append({"id": item.get("id") if isinstance(item, dict) else None,
                             "calculated_charge_amount": None, "currency": "PLN"})
                continue
            rows.append({"id": item.get("id"), "calculated_charge_amount": str(PRICES[service]), "currency": "PLN"})
        return FakeResponse(200, rows)

    def _create(self, body):
        reference, service = body.get("reference"), body.get("service")
        if service not in PRICES:
            return _error(400, "validation_failed", "Invalid service.", {"service": ["invalid"]})
        receiver = body.get("receiver") if isinstance(body.get("receiver"), dict) else {}
        if not receiver.get("name") and not receiver.get("company_name"):
            return _error(400, "validation_failed", "Receiver name required.", {"receiver": ["name_required"]})
        target = (body.get("custom_attributes") or {}).get("target_point")
        if service == "inpost_locker_standard" and target not in {p["name"] for p in POINTS}:
            return _error(400, "validation_failed", "Unknown target point.", {"target_point": ["does_not_exist"]})
        parcels = body.get("parcels") if isinstance(body.get("parcels"), list) else []
        sizes = [p.get("dimensions") for p in parcels if isinstance(p, dict)]
        if not sizes or not all(_size_valid(size) for size in sizes):
            return _error(400, "validation_failed", "Parcel dimensions required.",
                          {"parcels": [{"dimensions": ["invalid"]}]})
        shipment_id = 1000 + len(self.ledger.shipments) + 1
        shipment = {"id": shipment_id, "status": "created", "tracking_number": None, "reference": reference,
                    "service": service, "receiver": receiver, "custom_attributes": body.get("custom_attributes"),
                    "created_at": datetime.now(UTC).isoformat()}
        self.shipments[str(shipment_id)] = shipment
        self.ledger.add(reference, str(shipment_id), dict(sizes[0]))
        return FakeResponse(201, dict(shipment))

    def _read(self, shipment):
        if shipment["status"] == "created":  # the label was bought in the background
            shipment["status"], shipment["tracking_number"] = "confirmed", f"6{shipment['id']:023d}"
        return dict(shipment)


if __name__ == "__main__":
    run(FakeInPost, "Run the InPost ShipX fake on loopback.", 8822)
