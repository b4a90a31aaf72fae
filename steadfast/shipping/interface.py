"""The delivery contract: dataclasses in and out; carriers raise one of the provider errors (providers.errors).

`Quote` is what checkout shows for a delivery method (fixed, pickup, carrier, emergency). The rest is what carrier
adapters (shipping/carriers/<name>.py) speak. An adapter is I/O only: every method takes the httpx client that
providers.call.call() hands out as its last argument, writes nothing to the database and never retries by itself.
"""

from dataclasses import dataclass, field
from enum import StrEnum

from steadfast.money import Money


@dataclass(frozen=True)
class Quote:
    method_code: str
    name: str
    price: Money
    needs_address: bool
    description: str = ""
    available: bool = True
    unavailable_reason: str = ""
    countries: tuple = ()  # ISO codes it delivers to (empty for a pickup: no address)
    live: bool = False  # priced by a carrier just now (not a fixed fee)
    to_point: bool = False  # the carrier delivers to a pickup point / locker the shopper chooses
    awaits_address: bool = False  # a carrier method not priced yet: the shopper has not said where to
    estimated: bool = False  # the carrier is out: its last price for this route (plus markup), not a live one


@dataclass(frozen=True)
class Parcel:
    weight_grams: int
    length_cm: int = 30
    width_cm: int = 20
    height_cm: int = 10


@dataclass(frozen=True)
class Location:
    """Where a parcel leaves or goes. Carriers use what they understand: a city code of their own, or postcode."""

    country: str = ""
    postcode: str = ""
    city: str = ""
    address: str = ""
    carrier_code: str = ""  # e.g. CDEK's city code (44 = Moscow)


@dataclass(frozen=True)
class Option:
    """One service a carrier offers for a route."""

    service: str  # the carrier's code for it (CDEK tariff code)
    name: str
    price: Money
    days_min: int = 0
    days_max: int = 0
    to_pickup_point: bool = False


@dataclass(frozen=True)
class PickupPoint:
    code: str
    name: str
    address: str
    city: str = ""
    postcode: str = ""
    kind: str = ""  # e.g. PVZ (staffed office), POSTAMAT / locker
    hours: str = ""


@dataclass(frozen=True)
class ShipmentRequest:
    """Everything a carrier needs to register one order's parcel. `number` is our order number: the carrier's
    duplicate check, and how a create whose answer was lost is found again."""

    number: str
    service: str
    parcel: Parcel
    origin: Location
    destination: Location
    recipient_name: str
    recipient_phone: str = ""
    recipient_email: str = ""
    pickup_point: str = ""
    items: tuple = ()  # (name, sku, quantity, unit price Money)


class Milestone(StrEnum):
    """What the customer is told about (a carrier's many status codes map onto these few)."""

    SHIPPED = "shipped"  # the carrier has the parcel
    IN_TRANSIT = "in_transit"
    READY_FOR_PICKUP = "ready_for_pickup"  # waiting at the pickup point / locker
    DELIVERED = "delivered"


class ShipmentState(StrEnum):
    PENDING = "pending"  # accepted, the carrier is still registering it
    CREATED = "created"  # registered: has a tracking number
    FAILED = "failed"  # the carrier refused it
    CANCELLED = "cancelled"
    DELIVERED = "delivered"


@dataclass(frozen=True)
class ShipmentInfo:
    reference: str  # the carrier's id (CDEK entity uuid)
    state: ShipmentState
    tracking_number: str = ""
    status_name: str = ""
    errors: tuple = ()
    milestone: str = ""  # a Milestone, or "" for statuses the customer is not told about
    tracking_url: str = ""  # the carrier's public tracking page, when it gives one


@dataclass(frozen=True)
class CarrierEvent:
    """A carrier's push notification, as far as it names a shipment. Its status is never trusted: the shipment's
    status is read back from the carrier before anything changes (a forged event can at most cause one read)."""

    event_id: str  # dedupe key of this delivery (the carrier's, or shipment + status + time)
    reference: str = ""  # the carrier's shipment id
    number: str = ""  # our order number, when the carrier echoes it


@dataclass(frozen=True)
class TrackingEvent:
    code: str
    name: str
    at: str  # ISO 8601 as the carrier gave it
    city: str = ""


class Carrier:
    """Base of carrier adapters. `live_quotes`: quote() prices real routes (checkout asks it within the deadline)."""

    live_quotes = True
    # The header a carrier that signs its webhooks puts the body's HMAC-SHA256 in (shipping.webhooks); "": unsigned.
    webhook_signature_header = ""
    # The header carrying the timestamp some accounts sign as "<timestamp>.<body>" instead of the body; "": none.
    webhook_timestamp_header = ""

    def __init__(self, provider):
        self.provider = provider

    def quote(self, parcel: Parcel, origin: Location, destination: Location, client) -> list[Option]:
        raise NotImplementedError

    def points(self, city: str, postcode: str, client) -> list[PickupPoint]:
        raise NotImplementedError

    def create_shipment(self, request: ShipmentRequest, client) -> ShipmentInfo:
        raise NotImplementedError

    def find_shipment(self, number: str, client) -> ShipmentInfo | None:
        """The shipment registered under our order number, or None: asked before creating again."""
        raise NotImplementedError

    def shipment_status(self, reference: str, client) -> ShipmentInfo:
        raise NotImplementedError

    def track(self, reference: str, client) -> list[TrackingEvent]:
        raise NotImplementedError

    def cancel(self, reference: str, client) -> ShipmentInfo:
        raise NotImplementedError

    def label(self, reference: str, client) -> bytes:
        """The shipping label as PDF bytes (Unavailable while the carrier is still making it)."""
        raise NotImplementedError

    def parse_webhook(self, body: bytes, headers) -> CarrierEvent | None:
        """The shipment a push event is about (None: an event type we do not use). No I/O."""
        raise NotImplementedError

    def tracking_url(self, tracking_number: str) -> str:
        return ""


@dataclass(frozen=True)
class CarrierRoute:
    """A carrier delivery method's fixed part of a quote: where parcels leave from, where quotes price to."""

    origin: Location
    destination: Location
    services: tuple = field(default_factory=tuple)  # only these service codes, when given
