"""EasyPost (USPS, UPS, FedEx, DHL … through one API) over its REST API v2 with httpx: rates, buy, tracker.

Why not the official `easypost` package: its EasyPostClient sends every request through `requests` (its own
session), not an httpx client, so it cannot run on the client providers.call() hands out (timeouts, breaker,
Attempt rows, fakes). The REST API is small; this adapter speaks it directly (https://api.easypost.com/v2).

- Auth: HTTP Basic, the API key (STEADFAST_<CODE>_API_KEY) as user name, no password.
- Rates: POST /v2/shipments (an unbought shipment carries its rates); service = "<carrier>:<service>".
- Buy: POST /v2/shipments with our order number as `reference`, then POST /v2/shipments/{id}/buy with the rate
  of the chosen service. Only a bought shipment is a parcel (and costs money): find_shipment() lists shipments and
  looks for a bought one with our reference, so a buy whose answer was lost is found, never bought twice (EasyPost
  also refuses to buy one shipment twice).
- Tracker: GET /v2/trackers/{id} (created by the buy); label: POST /v2/shipments/{id}/label?file_format=PDF, then
  the PDF from `postage_label.label_pdf_url`.
- Weight in ounces, sizes in inches (EasyPost's units).
"""

import json
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

import httpx

from steadfast.money import Money
from steadfast.providers.call import check_response, response_json
from steadfast.providers.errors import Misconfigured, Rejected, Unavailable
from steadfast.providers.secrets import provider_secret
from steadfast.shipping.interface import (
    Carrier,
    CarrierEvent,
    Location,
    Option,
    Parcel,
    ShipmentInfo,
    ShipmentRequest,
    ShipmentState,
    TrackingEvent,
)

GRAMS_PER_OUNCE = Decimal("28.349523125")
CM_PER_INCH = Decimal("2.54")
MILESTONES = {"in_transit": "in_transit", "out_for_delivery": "in_transit", "available_for_pickup": "ready_for_pickup",
              "delivered": "delivered"}


class EasyPostCarrier(Carrier):
    def quote(self, parcel: Parcel, origin: Location, destination: Location, client) -> list[Option]:
        shipment = self._api(client, "POST", "/v2/shipments", json={"shipment": {
            "from_address": _address(origin), "to_address": _address(destination), "parcel": _parcel(parcel)}})
        rates = shipment.get("rates") if isinstance(shipment, dict) else None
        if not isinstance(rates, list):
            raise Unavailable("shipment answer without rates")
        if not rates and shipment.get("messages"):
            raise Rejected(f"EasyPost has no rates for this route: {_messages(shipment['messages'])}")
        return [option for option in (_option(rate) for rate in rates) if option is not None]

    def create_shipment(self, request: ShipmentRequest, client) -> ShipmentInfo:
        shipment = self._api(client, "POST", "/v2/shipments", json={"shipment": {
            "reference": request.number, "from_address": _address(request.origin),
            "to_address": {**_address(request.destination), "name": request.recipient_name,
                           "phone": request.recipient_phone, "email": request.recipient_email},
            "parcel": _parcel(request.parcel)}})
        rate = next((r for r in shipment.get("rates") or [] if isinstance(r, dict)
                     and f"{r.get('carrier')}:{r.get('service')}" == request.service), None)
        if rate is None:
            raise Rejected(f"EasyPost offers no {request.service} rate for order {request.number}")
        bought = self._api(client, "POST", f"/v2/shipments/{_id(shipment.get('id'), 'shp_')}/buy",
                           json={"rate": {"id": rate.get("id")}})
        return _info(bought)

    def find_shipment(self, number: str, client) -> ShipmentInfo | None:
        answer = self._api(client, "GET", "/v2/shipments", params={"page_size": 100, "purchased": "true"})
        shipments = answer.get("shipments") if isinstance(answer, dict) else None
        if not isinstance(shipments, list):
            raise Unavailable("shipment list without shipments")
        bought = [s for s in shipments if isinstance(s, dict) and s.get("reference") == number
                  and s.get("tracking_code")]
        return _info(bought[0]) if bought else None

    def shipment_status(self, reference: str, client) -> ShipmentInfo:
        return _info(self._api(client, "GET", f"/v2/shipments/{_id(reference, 'shp_')}"))

    def track(self, reference: str, client) -> list[TrackingEvent]:
        shipment = self._api(client, "GET", f"/v2/shipments/{_id(reference, 'shp_')}")
        tracker = shipment.get("tracker") if isinstance(shipment.get("tracker"), dict) else {}
        if not tracker.get("id"):
            return []
        answer = self._api(client, "GET", f"/v2/trackers/{_id(tracker['id'], 'trk_')}")
        return [TrackingEvent(str(d.get("status", "")), str(d.get("message", "")), str(d.get("datetime", "")),
                              str((d.get("tracking_location") or {}).get("city", "")))
                for d in answer.get("tracking_details") or [] if isinstance(d, dict)]

    def cancel(self, reference: str, client) -> ShipmentInfo:
        answer = self._api(client, "POST", f"/v2/shipments/{_id(reference, 'shp_')}/refund")
        return ShipmentInfo(reference, ShipmentState.CANCELLED, str(answer.get("tracking_code") or ""))

    def label(self, reference: str, client) -> bytes:
        shipment = self._api(client, "POST", f"/v2/shipments/{_id(reference, 'shp_')}/label",
                             params={"file_format": "PDF"})
        url = (shipment.get("postage_label") or {}).get("label_pdf_url")
        if not isinstance(url, str) or not url:
            raise Unavailable("the PDF label is not ready yet")
        where = urlsplit(url)
        if (where.hostname, where.port) == (client.base_url.host, client.base_url.port):
            url = where.path  # on the API host (the fake): relative to it
        elif where.scheme != "https":
            raise Unavailable("the label URL is not https")
        # Fetched with the same client (its timeouts), without the API key: the file host needs none.
        return check_response(client.get(url)).content

    def parse_webhook(self, body: bytes, headers) -> CarrierEvent | None:
        try:
            event = json.loads(body)
        except ValueError:
            raise ValueError("not JSON") from None
        if not isinstance(event, dict) or event.get("description") != "tracker.updated":
            return None
        tracker = event.get("result") if isinstance(event.get("result"), dict) else {}
        return CarrierEvent(event_id=str(event.get("id", ""))[:120], reference=str(tracker.get("shipment_id", "")))

    def tracking_url(self, tracking_number: str) -> str:
        return ""  # the tracker's public_url is taken from the buy answer instead

    def probe(self, client):
        self._api(client, "GET", "/v2/shipments", params={"page_size": 1})

    def _api(self, client: httpx.Client, method, path, **kwargs):
        key = provider_secret(self.provider, "API_KEY")
        if not key:
            raise Misconfigured(f"{self.provider.code}: STEADFAST_<CODE>_API_KEY is not set")
        response = client.request(method, path, auth=(key, ""), **kwargs)
        if response.status_code in (400, 404, 422):
            try:
                error = response.json().get("error") or {}
            except (ValueError, AttributeError):
                error = {}
            raise Rejected(f"EasyPost refused {method} {path}: HTTP {response.status_code}: "
                           f"{error.get('code', '')} {error.get('message', '')}".strip())
        answer = response_json(check_response(response))
        if not isinstance(answer, dict):
            raise Unavailable("EasyPost answer is not an object")
        return answer


def _address(location: Location) -> dict:
    return {key: value for key, value in {"street1": location.address, "city": location.city,
                                          "zip": location.postcode, "country": location.country}.items() if value}


def _parcel(parcel: Parcel) -> dict:
    def inches(cm):
        return float((Decimal(cm) / CM_PER_INCH).quantize(Decimal("0.1")))
    return {"weight": float((Decimal(parcel.weight_grams) / GRAMS_PER_OUNCE).quantize(Decimal("0.1"))),
            "length": inches(parcel.length_cm), "width": inches(parcel.width_cm), "height": inches(parcel.height_cm)}


def _option(rate) -> Option | None:
    if not isinstance(rate, dict) or not rate.get("carrier") or not rate.get("service"):
        return None
    try:
        price = Money(Decimal(str(rate["rate"])), str(rate.get("currency") or "USD"))
    except (KeyError, InvalidOperation, ValueError):
        return None
    days = rate.get("delivery_days") if isinstance(rate.get("delivery_days"), int) else 0
    return Option(service=f"{rate['carrier']}:{rate['service']}", name=f"{rate['carrier']} {rate['service']}",
                  price=price, days_min=days, days_max=days)


def _info(shipment) -> ShipmentInfo:
    if not isinstance(shipment, dict) or not str(shipment.get("id", "")).startswith("shp_"):
        raise Unavailable("shipment answer without id")
    tracker = shipment.get("tracker") if isinstance(shipment.get("tracker"), dict) else {}
    status = str(tracker.get("status") or shipment.get("status") or "")
    tracking = str(shipment.get("tracking_code") or "")
    if shipment.get("refund_status") in ("submitted", "refunded"):
        state = ShipmentState.CANCELLED
    elif status == "delivered":
        state = ShipmentState.DELIVERED
    elif tracking:
        state = ShipmentState.CREATED
    else:
        state = ShipmentState.PENDING
    return ShipmentInfo(shipment["id"], state, tracking, status.replace("_", " "),
                        milestone=MILESTONES.get(status, ""), tracking_url=str(tracker.get("public_url") or ""))


def _id(value, prefix) -> str:
    value = str(value or "")
    if not value.startswith(prefix) or not value.replace("_", "").isalnum():
        raise Rejected(f"not an EasyPost id: {value!r}")
    return value


def _messages(messages) -> str:
    return "; ".join(f"{m.get('carrier', '')}: {m.get('message', '')}" for m in messages if isinstance(m, dict))
