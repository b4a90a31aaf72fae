"""An EasyPost API v2 fake: shipments with rates, buy (tracker made at once), label, trackers, refunds, a ledger.

    fake = FakeEasyPost(api_key="EZTK-demo").start()
    POST /v2/shipments {"shipment": {...}}      -> unbought shipment with "rates" (USPS Priority, UPS Ground)
    POST /v2/shipments/{id}/buy {"rate": {"id"}} -> tracking_code, selected_rate, tracker, postage_label
    GET  /v2/shipments/{id}   GET /v2/shipments?purchased=true   POST /v2/shipments/{id}/label?file_format=PDF
    POST /v2/shipments/{id}/refund   GET /v2/trackers/{id}   GET /files/{id}.pdf (the label, no auth)

HTTP Basic auth with the API key as user name. Faults: FakeServer's (ok, status, slow, hang, reset, malformed) and
hosted.py's reset_after / hang_after (the shipment is bought, then the answer is lost). `fake.ledger.shipments`
holds every *bought* shipment (order reference, id): the ground truth for "exactly one parcel per order".
`tracker_update(id, status)` moves a parcel on (and POSTs the tracker.updated event to webhook_url, if set).
Run one: python -m steadfast.fakes.easypost --port 8823
"""

import base64
import json
import secrets
from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

from steadfast.fakes.cdek import ShipmentLedger, label_pdf
from steadfast.fakes.hosted import HostedGatewayFake, header, run
from steadfast.fakes.server import FakeRequest, FakeResponse

# (carrier, service) -> (base USD, per started pound, days)
RATES = {("USPS", "Priority"): (Decimal("7.00"), Decimal("0.50"), 2),
         ("UPS", "Ground"): (Decimal("9.00"), Decimal("0.40"), 4)}


def _id(prefix) -> str:
    return f"{prefix}_{secrets.token_hex(16)}"


def _error(status, code, message):
    return FakeResponse(status, {"error": {"code": code, "message": message, "errors": []}})


class FakeEasyPost(HostedGatewayFake):
    def __init__(self, host="127.0.0.1", port=0, webhook_url="", api_key="EZTK-demo", currency="USD"):
        super().__init__(host, port, webhook_url)
        self.api_key, self.currency = api_key, currency  # the currency of the rates (EasyPost's own: USD)
        self.ledger = ShipmentLedger()
        self.shipments, self.trackers = {}, {}

    def handle(self, request: FakeRequest) -> FakeResponse:
        url = urlsplit(request.path)
        parts, query, method = url.path.strip("/").split("/"), dict(parse_qsl(url.query)), request.method
        if parts[:1] == ["files"] and len(parts) == 2 and method == "GET":
            shipment = self.shipments.get(parts[1].removesuffix(".pdf"))
            if shipment is None or not shipment["tracking_code"]:
                return FakeResponse(404, "no such file")
            return FakeResponse(200, label_pdf(f"USPS {shipment['tracking_code']} {shipment['reference']}"),
                                headers={"Content-Type": "application/pdf"})
        if parts[:1] != ["v2"]:
            return super().handle(request)
        if header(request, "Authorization") != "Basic " + base64.b64encode(f"{self.api_key}:".encode()).decode():
            return _error(401, "APIKEY.INACTIVE", "The API key is missing or invalid.")
        try:
            body = request.json() if request.body else {}
        except ValueError:
            return _error(422, "PARAMETER.INVALID", "The body is not JSON.")
        body = body if isinstance(body, dict) else {}
        with self._state_lock:
            if parts == ["v2", "shipments"] and method == "POST":
                return self._create(body.get("shipment") if isinstance(body.get("shipment"), dict) else {})
            if parts == ["v2", "shipments"] and method == "GET":
                found = [s for s in self.shipments.values()
                         if query.get("purchased") != "true" or s["tracking_code"]]
                return FakeResponse(200, {"shipments": [dict(s) for s in found], "has_more": False})
            if parts[:2] == ["v2", "trackers"] and len(parts) == 3 and method == "GET":
                tracker = self.trackers.get(parts[2])
                return FakeResponse(200, dict(tracker)) if tracker else _error(404, "NOT_FOUND", "No tracker")
            if parts[:2] != ["v2", "shipments"] or len(parts) < 3 or parts[2] not in self.shipments:
                return _error(404, "NOT_FOUND", "The requested resource could not be found.")
            shipment, action = self.shipments[parts[2]], parts[3] if len(parts) == 4 else ""
            if method == "GET" and not action:
                return FakeResponse(200, self._read(shipment))
            if method == "POST" and action == "buy":
                return self.finish(self._buy(shipment, body))
            if method == "POST" and action == "label" and shipment["tracking_code"]:
                shipment["postage_label"]["label_pdf_url"] = f"{self.url}/files/{shipment['id']}.pdf"
                return FakeResponse(200, self._read(shipment))
            if method == "POST" and action == "refund" and shipment["tracking_code"]:
                shipment["refund_status"] = "submitted"
                return FakeResponse(200, self._read(shipment))
        return _error(422, "SHIPMENT.INVALID", "Not possible for this shipment.")

    def tracker_update(self, shipment_id, status):
        with self._state_lock:
            tracker = self.trackers[self.shipments[shipment_id]["tracker"]["id"]]
            tracker["status"] = status
            tracker["tracking_details"].append({"object": "TrackingDetail", "status": status, "message": status,
                                                "datetime": datetime.now(UTC).isoformat()})
            event = {"id": _id("evt"), "object": "Event", "description": "tracker.updated", "result": dict(tracker)}
        self.deliver(event["id"], json.dumps(event).encode(), {})
        return event

    def _create(self, data) -> FakeResponse:
        parcel, to = data.get("parcel"), data.get("to_address")
        if not isinstance(parcel, dict) or not isinstance(parcel.get("weight"), int | float) or parcel["weight"] <= 0:
            return _error(422, "PARCEL.WEIGHT.INVALID", "parcel.weight (ounces) must be above 0.")
        if not isinstance(to, dict) or not (to.get("zip") or to.get("city")):
            return _error(422, "ADDRESS.VERIFY.FAILURE", "to_address needs a zip or a city.")
        shipment_id = _id("shp")
        pounds = -(-int(parcel["weight"] * 100) // 1600)  # started pounds
        rates = [{"id": _id("rate"), "object": "Rate", "carrier": carrier, "service": service,
                  "currency": self.currency,
                  "rate": str(base + per_lb * pounds), "delivery_days": days, "shipment_id": shipment_id}
                 for (carrier, service), (base, per_lb, days) in RATES.items()]
        shipment = {"id": shipment_id, "object": "Shipment", "reference": data.get("reference"), "status": "unknown",
                    "to_address": to, "parcel": parcel, "rates": rates, "selected_rate": None,
                    "tracking_code": None, "tracker": None, "postage_label": None, "refund_status": None}
        self.shipments[shipment_id] = shipment
        return FakeResponse(201, dict(shipment))

    def _buy(self, shipment, body) -> FakeResponse:
        if shipment["tracking_code"]:
            return _error(422, "SHIPMENT.POSTAGE.EXISTS", "This shipment already has postage.")
        rate_id = (body.get("rate") or {}).get("id") if isinstance(body.get("rate"), dict) else None
        rate = next((r for r in shipment["rates"] if r["id"] == rate_id), None)
        if rate is None:
            return _error(422, "SHIPMENT.RATE.INVALID", "rate.id is not a rate of this shipment.")
        tracking = f"9400{len(self.ledger.shipments) + 1:018d}"
        tracker = {"id": _id("trk"), "object": "Tracker", "tracking_code": tracking, "status": "pre_transit",
                   "carrier": rate["carrier"], "shipment_id": shipment["id"], "tracking_details": [],
                   "public_url": f"https://track.easypost.com/djE6{tracking}"}
        self.trackers[tracker["id"]] = tracker
        shipment.update(tracking_code=tracking, selected_rate=rate, status="pre_transit",
                        postage_label={"object": "PostageLabel", "label_url": f"{self.url}/files/{shipment['id']}.png",
                                       "label_pdf_url": None})
        shipment["tracker"] = tracker
        self.ledger.add(shipment["reference"], shipment["id"],
                        {side: shipment["parcel"].get(side) for side in ("length", "width", "height")})
        return FakeResponse(200, self._read(shipment))

    def _read(self, shipment) -> dict:
        data = dict(shipment)
        if shipment["tracker"]:
            data["tracker"] = dict(self.trackers[shipment["tracker"]["id"]])
        return data


if __name__ == "__main__":
    run(FakeEasyPost, "Run the EasyPost API v2 fake on loopback.", 8823)
