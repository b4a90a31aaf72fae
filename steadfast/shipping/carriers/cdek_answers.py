"""CDEK API v2 answers read into the carrier dataclasses (shipping.interface); the adapter in cdek.py does the I/O."""

from decimal import Decimal, InvalidOperation

from steadfast.money import Money
from steadfast.providers.errors import Rejected, Unavailable
from steadfast.shipping.interface import Location, Option, PickupPoint, ShipmentInfo, ShipmentState

# delivery_mode: 1 door-door, 2 door-office, 3 office-door, 4 office-office, 6 door-locker, 7 office-locker,
# 8 locker-door, 9 locker-office, 10 locker-locker: the parcel waits for the customer at a point.
TO_POINT_MODES = {2, 4, 6, 7, 9, 10}
# CDEK status codes -> what the customer is told (shipping.interface.Milestone); other codes are timeline only.
MILESTONES = {
    "RECEIVED_AT_SHIPMENT_WAREHOUSE": "shipped",
    **dict.fromkeys(("READY_FOR_SHIPMENT_IN_SENDER_CITY", "TAKEN_BY_TRANSPORTER_FROM_SENDER_CITY",
                     "SENT_TO_TRANSIT_CITY", "ACCEPTED_IN_TRANSIT_CITY", "SENT_TO_RECIPIENT_CITY",
                     "ACCEPTED_IN_RECIPIENT_CITY", "TAKEN_BY_COURIER"), "in_transit"),
    "ACCEPTED_AT_PICK_UP_POINT": "ready_for_pickup", "POSTOMAT_POSTED": "ready_for_pickup",
    "DELIVERED": "delivered",
}


def shop_currency() -> str:
    from django.conf import settings

    return settings.SHOP_CURRENCY


def location_json(location: Location) -> dict:
    if location.carrier_code:
        return {"code": int(location.carrier_code)}
    data = {"postal_code": location.postcode, "city": location.city, "country_code": location.country,
            "address": location.address}
    return {name: value for name, value in data.items() if value}


def option_from_tariff(tariff, currency) -> Option | None:
    if not isinstance(tariff, dict) or not isinstance(tariff.get("tariff_code"), int):
        return None
    try:
        price = Money(Decimal(str(tariff["delivery_sum"])), currency)
    except (KeyError, InvalidOperation, ValueError):
        return None
    if price.amount < 0:
        return None
    return Option(service=str(tariff["tariff_code"]), name=str(tariff.get("tariff_name", "")), price=price,
                  days_min=int(tariff.get("period_min") or 0), days_max=int(tariff.get("period_max") or 0),
                  to_pickup_point=tariff.get("delivery_mode") in TO_POINT_MODES)


def point_from_answer(data) -> PickupPoint:
    location = data.get("location") if isinstance(data.get("location"), dict) else {}
    return PickupPoint(code=data["code"], name=str(data.get("name", "")),
                       address=str(location.get("address_full") or location.get("address", "")),
                       city=str(location.get("city", "")), postcode=str(location.get("postal_code", "")),
                       kind=str(data.get("type", "")), hours=str(data.get("work_time", "")))


def shipment_info(answer) -> ShipmentInfo:
    entity = answer.get("entity") if isinstance(answer, dict) else None
    if not isinstance(entity, dict) or not isinstance(entity.get("uuid"), str):
        raise Unavailable("order answer without entity uuid")
    requests = [r for r in answer.get("requests") or [] if isinstance(r, dict)]
    invalid = [r for r in requests if r.get("state") == "INVALID"]
    statuses = [s for s in entity.get("statuses") or [] if isinstance(s, dict)]
    latest = statuses[0].get("code", "") if statuses else ""  # CDEK lists the newest status first
    tracking = str(entity.get("cdek_number") or "")
    if invalid:
        state = ShipmentState.FAILED
    elif latest == "DELIVERED":
        state = ShipmentState.DELIVERED
    elif latest in ("CANCELED", "REMOVED"):
        state = ShipmentState.CANCELLED
    elif tracking:
        state = ShipmentState.CREATED
    else:
        state = ShipmentState.PENDING
    return ShipmentInfo(entity["uuid"], state, tracking, str(statuses[0].get("name", "")) if statuses else "",
                        tuple(error_messages(r.get("errors")) for r in invalid), milestone=MILESTONES.get(latest, ""))


def entity_uuid(reference: str) -> str:
    if not reference or "/" in reference or "?" in reference:
        raise Rejected(f"not a CDEK order uuid: {reference!r}")
    return reference


def json_or_none(response):
    try:
        return response.json()
    except (ValueError, UnicodeDecodeError):
        return None


def answer_errors(body) -> list:
    if not isinstance(body, dict):
        return []
    errors = list(body.get("errors") or [])
    for request in body.get("requests") or []:
        if isinstance(request, dict):
            errors.extend(request.get("errors") or [])
    return errors


def error_messages(errors) -> str:
    return "; ".join(f"{e.get('code', '')}: {e.get('message', '')}" for e in errors or [] if isinstance(e, dict))
