"""The last good carrier price per route, offered marked "estimated" while that carrier is out.

A route is the method's carrier service, where the parcel leaves (the provider's origin), the destination zone
(country + the first two characters of the postcode, or the town when there is no postcode) and a weight band.
Every live quote overwrites it; a method with `estimate_when_out` offers it, plus its markup, when the carrier
cannot be asked (breaker open, failing, past the deadline). Kept in the cache for SHIPPING_ESTIMATE_MAX_AGE: an
old price, or a cache that was emptied, offers nothing and the emergency method stands in.
"""

import hashlib
from dataclasses import replace
from decimal import Decimal

from django.conf import settings

from steadfast.cachesafe import lenient_cache
from steadfast.money import Money
from steadfast.shipping.interface import Location, Option, Parcel

# Upper bounds (grams) of the weight bands; beyond the last, one band per further 10 kg. A price remembered for a
# lighter parcel of the same band may be low: the markup is there for that and for price changes.
WEIGHT_BANDS = (500, 1000, 2000, 5000, 10000, 20000, 30000)


def weight_band(grams: int) -> int:
    for bound in WEIGHT_BANDS:
        if grams <= bound:
            return bound
    over = grams - WEIGHT_BANDS[-1]
    return WEIGHT_BANDS[-1] + 10000 * -(-over // 10000)


def destination_zone(destination: Location) -> str:
    postcode = "".join(ch for ch in destination.postcode if ch.isalnum()).upper()
    area = postcode[:2] if postcode else " ".join(destination.city.split()).casefold()
    return f"{destination.country.upper()}:{area}"


def route_key(method, origin: Location, destination: Location, parcel: Parcel) -> str:
    route = "|".join([repr(sorted(vars(origin).items())), destination_zone(destination),
                      str(weight_band(parcel.weight_grams))])
    digest = hashlib.sha256(route.encode()).hexdigest()[:24]
    return f"shipping:route:{method.provider_id}:{method.service}:{digest}"


def route_remember(method, origin: Location, destination: Location, parcel: Parcel, option: Option) -> None:
    lenient_cache.set(route_key(method, origin, destination, parcel), option_data(option),
                      settings.SHIPPING_ESTIMATE_MAX_AGE)


def route_estimate(method, origin: Location, destination: Location, parcel: Parcel) -> Option | None:
    """The remembered option for this route with the method's markup added, or None (none, or not in our money)."""
    option = option_from(lenient_cache.get(route_key(method, origin, destination, parcel)))
    if option is None or option.price.currency != settings.SHOP_CURRENCY:
        return None
    factor = 1 + Decimal(method.estimate_markup_percent) / 100
    return replace(option, price=Money(option.price.amount * factor, option.price.currency))


def option_data(option: Option) -> dict:
    return {"service": option.service, "name": option.name, "amount": str(option.price.amount),
            "currency": option.price.currency, "days_min": option.days_min, "days_max": option.days_max,
            "to_pickup_point": option.to_pickup_point}


def option_from(data) -> Option | None:
    if not isinstance(data, dict):
        return None
    return Option(data["service"], data["name"], Money(Decimal(data["amount"]), data["currency"]),
                  data["days_min"], data["days_max"], data["to_pickup_point"])
