"""Checkout state kept in the session between steps, and which step comes next.

Only the shopper's choices live here (codes, address); prices and availability are looked up again on every page.
"""

import hashlib
import json
import uuid

from django.utils.translation import gettext_lazy as _

from steadfast.cart.cart import Cart
from steadfast.checkout.services import CheckoutDetails
from steadfast.payments.routing import fits_delivery
from steadfast.providers.models import Provider
from steadfast.providers.selectors import providers_available
from steadfast.shipping.interface import Location, Parcel
from steadfast.shipping.parcels import parcel_for
from steadfast.shipping.quotes import delivery_quote

SESSION_KEY = "checkout"
PLACED_KEY = "checkout_placed"
PLACED_KEEP = 10  # recent idempotency keys remembered per session, to answer replays

STEPS = [
    ("contact", _("Contact")),
    ("delivery", _("Delivery")),
    ("point", _("Pickup point")),
    ("address", _("Address")),
    ("payment", _("Payment")),
    ("review", _("Review")),
]
STEP_NAMES = [name for name, _label in STEPS]


class CheckoutState:
    def __init__(self, session):
        self.session = session
        self.data = dict(session.get(SESSION_KEY, {}))
        self._parcel = None  # the cart's parcel, weighed once per request

    def _save(self):
        self.session[SESSION_KEY] = self.data
        self.session.modified = True

    def get(self, step) -> dict:
        return dict(self.data.get(step, {}))

    def set(self, step, values: dict):
        self.data[step] = values
        self.data.pop("token", None)  # anything changed: the review page must be seen again
        self._save()

    def clear(self):
        self.data = {}
        self.session.pop(SESSION_KEY, None)
        self.session.modified = True

    # --- lookups against the database -----------------------------------------------------------
    def destination(self) -> Location | None:
        """Where carriers price delivery to: what the shopper entered at the delivery step, else the address."""
        place = self.get("destination") or self.get("address")
        if not place.get("country"):
            return None
        return Location(country=place["country"], postcode=place.get("postcode", ""), city=place.get("city", ""))

    def parcel(self) -> Parcel:
        if self._parcel is None:
            self._parcel = parcel_for((line.variant, line.quantity) for line in Cart(self.session).lines())
        return self._parcel

    def quote(self, subtotal):
        code = self.get("delivery").get("method")
        return delivery_quote(code, subtotal, self.destination(), self.parcel()) if code else None

    def provider(self, subtotal=None) -> Provider | None:
        """The chosen payment method while it is available (and fits the delivery, when `subtotal` is given)."""
        code = self.get("payment").get("method")
        provider = next((p for p in providers_available(Provider.Kind.PAYMENT) if p.code == code), None)
        if provider is not None and subtotal is not None and not fits_delivery(provider, self.is_pickup(subtotal)):
            return None  # e.g. pay at pickup chosen, then the delivery changed to courier
        return provider

    def needs_address(self, subtotal) -> bool:
        quote = self.quote(subtotal)
        return quote is None or (quote.needs_address and not quote.to_point)  # a locker needs no street

    def to_point(self, subtotal) -> bool:
        quote = self.quote(subtotal)
        return quote is not None and quote.to_point

    def is_pickup(self, subtotal) -> bool:
        quote = self.quote(subtotal)  # only the shop's own pickup: pay at pickup fits it, a locker does not
        return quote is not None and not quote.needs_address

    def steps(self, subtotal) -> list[str]:
        skip = set()
        if not self.needs_address(subtotal):
            skip.add("address")
        if not self.to_point(subtotal):
            skip.add("point")
        return [name for name in STEP_NAMES if name not in skip]

    def first_missing(self, subtotal, before: str) -> str | None:
        """The first step before `before` that is not done (or no longer valid), else None."""
        for name in self.steps(subtotal):
            if name == before:
                return None
            if not self._done(name, subtotal):
                return name
        return None

    def _done(self, name, subtotal) -> bool:
        if name == "contact":
            return bool(self.get("contact").get("email"))
        if name == "delivery":
            quote = self.quote(subtotal)
            return quote is not None and quote.available
        if name == "point":
            point = self.get("point")
            return bool(point.get("code")) and point.get("method") == self.get("delivery").get("method")
        if name == "address":
            address = self.get("address")
            quote = self.quote(subtotal)  # the delivery may have changed to one that does not go there
            if not address.get("address_line1"):
                return False
            if quote is not None and quote.live and not same_place(address, self.get("destination")):
                return False  # priced for another address: asked again at the address step
            return quote is None or address.get("country") in quote.countries
        if name == "payment":
            return self.provider(subtotal) is not None
        return False

    def indicator(self, current, subtotal) -> list[dict]:
        """The step list shown above every page: label, state and (for steps already done) a link name."""
        names = self.steps(subtotal)
        labels = dict(STEPS)
        position = names.index(current)
        return [
            {"name": name, "label": labels[name], "number": i + 1,
             "state": "done" if i < position else "current" if i == position else "todo"}
            for i, name in enumerate(names)
        ]

    # --- placing --------------------------------------------------------------------------------
    def new_token(self) -> str:
        self.data["token"] = str(uuid.uuid4())
        self._save()
        return self.data["token"]

    @property
    def token(self) -> str:
        return self.data.get("token", "")

    def details(self, subtotal) -> CheckoutDetails:
        contact, address = self.get("contact"), self.get("address") if self.needs_address(subtotal) else {}
        if self.to_point(subtotal):  # no street: the town the parcel goes to, as priced
            where = self.destination()
            address = {"country": where.country, "postcode": where.postcode, "city": where.city} if where else {}
        return CheckoutDetails(
            email=contact["email"], phone=contact["phone"], full_name=contact["full_name"],
            delivery_method=self.get("delivery")["method"], payment_method=self.get("payment")["method"],
            address_line1=address.get("address_line1", ""), address_line2=address.get("address_line2", ""),
            postcode=address.get("postcode", ""), city=address.get("city", ""), country=address.get("country", ""),
            note=self.get("delivery").get("note", ""),
            pickup_point=self.get("point").get("code", ""), pickup_point_name=self.get("point").get("label", ""),
        )

    def fingerprint(self, cart: Cart, total) -> str:
        """Hash of what the shopper reviewed (items, choices, total); a POST from a stale tab no longer matches."""
        seen = {"items": sorted(cart.items.items()), "total": str(total),
                **{k: v for k, v in self.data.items() if k != "token"}}
        return hashlib.sha256(json.dumps(seen, sort_keys=True).encode()).hexdigest()[:32]


def same_place(address: dict, destination: dict) -> bool:
    """The address is where the delivery was priced to (country, postcode, city; case and spacing aside)."""
    def key(place):
        return (place.get("country", ""), place.get("postcode", "").replace(" ", "").upper(),
                " ".join(place.get("city", "").split()).casefold())
    return not destination or key(address) == key(destination)


def placed_remember(session, key, order_token):
    placed = dict(session.get(PLACED_KEY, {}))
    placed[key] = order_token
    session[PLACED_KEY] = dict(list(placed.items())[-PLACED_KEEP:])


def placed_lookup(session, key) -> str | None:
    return session.get(PLACED_KEY, {}).get(key) if key else None
