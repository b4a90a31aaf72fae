"""Pickup points / parcel lockers of a carrier method, for the shopper to choose at checkout.

Asked from the carrier through providers.call() within the quote deadline (never inside a transaction); the list
a shopper saw is remembered for SHIPPING_QUOTE_TTL so the choice is checked against what was shown, without asking
the carrier again on the POST.
"""

import hashlib
import logging
from functools import partial

from django.conf import settings

from steadfast.cachesafe import lenient_cache
from steadfast.providers.call import call
from steadfast.providers.errors import ProviderError
from steadfast.providers.registry import adapter_for
from steadfast.shipping.interface import PickupPoint
from steadfast.shipping.models import DeliveryMethod

log = logging.getLogger(__name__)
MAX_SHOWN = 50


class PointsUnavailable(Exception):
    """The carrier could not list its points now (down, slow, refused the search)."""


def search_terms(query: str) -> tuple[str, str]:
    """(city, postcode) from what the shopper typed: anything with a digit is a postcode."""
    query = " ".join(query.split())[:100]
    return ("", query) if any(ch.isdigit() for ch in query) else (query, "")


def pickup_points(method_code: str, query: str) -> list[PickupPoint]:
    """The carrier's points near `query` (a postcode or a city name), at most MAX_SHOWN."""
    method = DeliveryMethod.objects.filter(code=method_code, enabled=True, kind=DeliveryMethod.Kind.CARRIER,
                                           provider__isnull=False).select_related("provider").first()
    city, postcode = search_terms(query)
    if method is None or not (city or postcode):
        return []
    adapter = adapter_for(method.provider)
    try:
        points = call(method.provider, "points", partial(adapter.points, city, postcode),
                      timeout=settings.SHIPPING_QUOTE_DEADLINE)
    except ProviderError as error:
        log.info("pickup points: %s: %s: %s", method.provider.code, type(error).__name__, error)
        raise PointsUnavailable(str(error)) from None
    points = points[:MAX_SHOWN]
    for point in points:
        lenient_cache.set(_key(method_code, point.code), point_label(point), settings.SHIPPING_QUOTE_TTL)
    return points


def shown_point(method_code: str, code: str) -> str | None:
    """The label of a point that was listed to a shopper for this method (None: never shown, or forgotten)."""
    label = lenient_cache.get(_key(method_code, code))
    return label if isinstance(label, str) else None


def point_label(point: PickupPoint) -> str:
    return ", ".join(filter(None, [point.name, point.address]))[:300]


def _key(method_code, code) -> str:
    return f"shipping:point:{method_code}:{hashlib.sha256(code.encode()).hexdigest()[:24]}"
