"""InPost ShipX API (Poland: parcel lockers and courier) over httpx: points, rates, shipments, tracking.

I/O only, as every adapter. Base URL config "api_base" (https://api-shipx-pl.easypack24.net, sandbox
https://sandbox-api-shipx-pl.easypack24.net), organization id in config "organization_id" (not a secret),
the organization's API token in STEADFAST_<CODE>_API_TOKEN (Bearer).

Shipments carry our order number as `reference`; find_shipment() lists the organization's shipments by that
reference, so a create whose answer was lost is found instead of made twice. ShipX buys the label
asynchronously: a new shipment is "created" and gets its tracking number once "confirmed".
"""

import json
from decimal import Decimal, InvalidOperation

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
    PickupPoint,
    ShipmentInfo,
    ShipmentRequest,
    ShipmentState,
    TrackingEvent,
)

SERVICES = {"inpost_locker_standard": ("Parcel locker", True), "inpost_courier_standard": ("Courier", False)}
# Locker sizes by the parcel's thinnest side (cm): A 8, B 19, C 41 cm high (64 x 38 base).
TEMPLATES = ((8, "small"), (19, "medium"), (41, "large"))
STATES = {"delivered": ShipmentState.DELIVERED, "canceled": ShipmentState.CANCELLED,
          "cancelled": ShipmentState.CANCELLED}


class InPostCarrier(Carrier):
    # Each ShipX webhook carries the Base64 HMAC-SHA256 of its raw body (or "<timestamp>.<body>") under the secret.
    webhook_signature_header = "X-InPost-Signature"
    webhook_timestamp_header = "X-InPost-Timestamp"

    def quote(self, parcel: Parcel, origin: Location, destination: Location, client) -> list[Option]:
        body = [{"id": service, "service": service, "receiver": {"address": _address(destination)},
                 "parcels": _parcels(parcel)} for service in SERVICES]
        answer = self._api(client, "POST", f"{self._org()}/shipments/calculate", json=body)
        if not isinstance(answer, list):
            raise Unavailable("calculate answer is not a list")
        options = []
        for row in answer:
            charge = row.get("calculated_charge_amount") if isinstance(row, dict) else None
            if charge is None or row.get("id") not in SERVICES:
                continue
            try:
                price = Money(Decimal(str(charge)), "PLN")
            except (InvalidOperation, ValueError):
                continue
            name, locker = SERVICES[row["id"]]
            options.append(Option(service=row["id"], name=name, price=price, days_min=1, days_max=2,
                                  to_pickup_point=locker))
        return options

    def points(self, city: str, postcode: str, client) -> list[PickupPoint]:
        params = {"type": "parcel_locker", "per_page": 50, **({"post_code": postcode} if postcode else {"city": city})}
        answer = self._api(client, "GET", "/v1/points", params=params)
        items = answer.get("items") if isinstance(answer, dict) else None
        if not isinstance(items, list):
            raise Unavailable("points answer without items")
        return [_point(p) for p in items if isinstance(p, dict) and isinstance(p.get("name"), str)]

    def probe(self, client):
        """A cheap authenticated read: the organization."""
        self._api(client, "GET", self._org())

    def create_shipment(self, request: ShipmentRequest, client) -> ShipmentInfo:
        body = {"receiver": {"name": request.recipient_name, "phone": request.recipient_phone,
                             "email": request.recipient_email},
                "parcels": _parcels(request.parcel), "service": request.service, "reference": request.number,
                "custom_attributes": {"sending_method": "dispatch_order"}}
        if request.pickup_point:
            body["custom_attributes"]["target_point"] = request.pickup_point
        else:
            body["receiver"]["address"] = _address(request.destination)
        return _info(self._api(client, "POST", f"{self._org()}/shipments", json=body))

    def find_shipment(self, number: str, client) -> ShipmentInfo | None:
        answer = self._api(client, "GET", f"{self._org()}/shipments", params={"reference": number})
        items = answer.get("items") if isinstance(answer, dict) else None
        if not isinstance(items, list):
            raise Unavailable("shipments answer without items")
        found = [item for item in items if isinstance(item, dict) and item.get("reference") == number]
        return _info(found[0]) if found else None

    def shipment_status(self, reference: str, client) -> ShipmentInfo:
        return _info(self._api(client, "GET", f"/v1/shipments/{_id(reference)}"))

    def track(self, reference: str, client) -> list[TrackingEvent]:
        answer = self._api(client, "GET", f"/v1/tracking/{_id(reference)}")
        details = answer.get("tracking_details") if isinstance(answer, dict) else None
        return [TrackingEvent(str(d.get("status", "")), str(d.get("status", "")), str(d.get("datetime", "")))
                for d in details or [] if isinstance(d, dict)]

    def cancel(self, reference: str, client) -> ShipmentInfo:
        self._api(client, "DELETE", f"/v1/shipments/{_id(reference)}", empty_ok=True)
        return ShipmentInfo(reference, ShipmentState.CANCELLED)

    def label(self, reference: str, client) -> bytes:
        """GET /v1/shipments/{id}/label?format=Pdf: the label as PDF bytes (once ShipX bought it)."""
        path = f"/v1/shipments/{_id(reference)}/label"
        token = provider_secret(self.provider, "API_TOKEN")
        response = client.get(path, params={"format": "Pdf", "type": "A6"},
                              headers={"Authorization": f"Bearer {token}"})
        if response.status_code in (400, 404, 422):
            raise Rejected(f"InPost refused GET {path}: HTTP {response.status_code}")
        return check_response(response).content

    def parse_webhook(self, body: bytes, headers) -> CarrierEvent | None:
        """ShipX organization webhook: {"event": "shipment_status_changed", "event_ts", "payload":
        {"shipment_id", "status", "tracking_number"}}."""
        try:
            data = json.loads(body)
        except ValueError:
            raise ValueError("not JSON") from None
        if not isinstance(data, dict) or data.get("event") != "shipment_status_changed":
            return None
        payload = data.get("payload") if isinstance(data.get("payload"), dict) else {}
        if not payload.get("shipment_id"):
            raise ValueError("shipment_status_changed without payload.shipment_id")
        event_id = f"{payload['shipment_id']}:{payload.get('status', '')}:{data.get('event_ts', '')}"
        return CarrierEvent(event_id=event_id[:120], reference=str(payload["shipment_id"]))

    def tracking_url(self, tracking_number: str) -> str:
        return f"https://inpost.pl/sledzenie-przesylek?number={tracking_number}"

    # --- transport ------------------------------------------------------------------------------------
    def _org(self) -> str:
        organization = str(self.provider.config.get("organization_id", ""))
        if not organization.isdigit():
            raise Misconfigured(f"{self.provider.code}: config organization_id (a number) is not set")
        return f"/v1/organizations/{organization}"

    def _api(self, client: httpx.Client, method, path, empty_ok=False, **kwargs):
        token = provider_secret(self.provider, "API_TOKEN")
        if not token:
            raise Misconfigured(f"{self.provider.code}: STEADFAST_<CODE>_API_TOKEN is not set")
        response = client.request(method, path, headers={"Authorization": f"Bearer {token}"}, **kwargs)
        if response.status_code in (400, 404, 422):
            try:
                body = response.json()
            except ValueError:
                body = {}
            detail = body.get("message") or body.get("error") if isinstance(body, dict) else ""
            details = body.get("details") if isinstance(body, dict) else None
            raise Rejected(f"InPost refused {method} {path}: HTTP {response.status_code}: {detail or 'no details'}"
                           + (f" {details}" if details else ""))
        check_response(response)
        if empty_ok and response.status_code == 204:
            return None
        return response_json(response)


def _parcels(parcel: Parcel) -> list:
    thinnest = min(parcel.length_cm, parcel.width_cm, parcel.height_cm)
    template = next((name for limit, name in TEMPLATES if thinnest <= limit), "large")
    # ShipX takes sizes in millimetres; the template is the locker compartment the parcel fits (lockers need it).
    dimensions = {"length": parcel.length_cm * 10, "width": parcel.width_cm * 10, "height": parcel.height_cm * 10,
                  "unit": "mm"}
    return [{"template": template, "dimensions": dimensions,
             "weight": {"amount": round(parcel.weight_grams / 1000, 3), "unit": "kg"}}]


def _address(location: Location) -> dict:
    return {"line1": location.address, "city": location.city, "post_code": location.postcode,
            "country_code": location.country or "PL"}


def _point(data) -> PickupPoint:
    details = data.get("address_details") if isinstance(data.get("address_details"), dict) else {}
    address = data.get("address") if isinstance(data.get("address"), dict) else {}
    kinds = data.get("type") if isinstance(data.get("type"), list) else []
    return PickupPoint(code=data["name"], name=str(data.get("location_description", "")),
                       address=", ".join(filter(None, [address.get("line1"), address.get("line2")])),
                       city=str(details.get("city", "")), postcode=str(details.get("post_code", "")),
                       kind=",".join(map(str, kinds)), hours=str(data.get("opening_hours", "")))


# ShipX statuses -> what the customer is told (shipping.interface.Milestone).
MILESTONES = {
    "collected_from_sender": "shipped", "adopted_at_source_branch": "shipped",
    **dict.fromkeys(("sent_from_source_branch", "adopted_at_sorting_center", "sent_from_sorting_center",
                     "adopted_at_target_branch", "out_for_delivery", "out_for_delivery_to_address"), "in_transit"),
    "ready_to_pickup": "ready_for_pickup", "delivered": "delivered",
}


def _info(shipment) -> ShipmentInfo:
    if not isinstance(shipment, dict) or not isinstance(shipment.get("id"), int):
        raise Unavailable("shipment answer without an id")
    status, tracking = str(shipment.get("status", "")), str(shipment.get("tracking_number") or "")
    state = STATES.get(status) or (ShipmentState.CREATED if tracking else ShipmentState.PENDING)
    return ShipmentInfo(str(shipment["id"]), state, tracking, status, milestone=MILESTONES.get(status, ""))


def _id(reference: str) -> str:
    if not reference.isalnum():
        raise Rejected(f"not an InPost shipment id or tracking number: {reference!r}")
    return reference
