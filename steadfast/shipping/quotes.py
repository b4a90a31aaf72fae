"""Delivery quotes for checkout: fixed and pickup prices locally, carriers live within one deadline.

Every enabled carrier method is asked at once, in parallel, with one overall deadline
(settings.SHIPPING_QUOTE_DEADLINE, default 2 s): a carrier that hangs, fails or whose breaker is open is left out
and never holds the page longer than that. When no carrier answered with a price, the emergency method (kind
"emergency", a fixed price staff set up) is offered in their place, so the list is never empty because a carrier
is down. Carriers price the shopper's destination (postcode, town, country) and the cart's parcel (summed weights,
shipping.parcels); without a destination they are not asked. A live price is remembered (cache, SHIPPING_QUOTE_TTL)
per method, exact destination and weight: the review page and order placement read it back and never call a
carrier (order placement runs inside a transaction); another address or cart finds nothing and is priced again.
While a carrier is out, a method with `estimate_when_out` offers the last good price for the route instead, marked
"estimated" (shipping.routes); the emergency method appears only when neither a live nor an estimated price is left.
"""

import hashlib
import logging
from concurrent.futures import ThreadPoolExecutor, wait
from functools import partial

from django.conf import settings
from django.db import connections
from django.utils.translation import gettext as _

from steadfast.cachesafe import lenient_cache
from steadfast.money import Money
from steadfast.providers.call import call
from steadfast.providers.errors import Misconfigured, ProviderError
from steadfast.providers.models import Provider
from steadfast.providers.registry import adapter_for
from steadfast.providers.selectors import providers_available
from steadfast.shipping.interface import Location, Option, Parcel, Quote
from steadfast.shipping.models import DeliveryMethod
from steadfast.shipping.parcels import default_parcel
from steadfast.shipping.routes import option_data, option_from, route_estimate, route_remember

log = logging.getLogger(__name__)
Kind = DeliveryMethod.Kind


def delivery_quotes(subtotal: Money, country: str = "", destination: Location | None = None,
                    parcel: Parcel | None = None) -> list[Quote]:
    """Quotes for every enabled delivery method a shopper can choose now (that delivers to `country` or the
    destination's country, when given), in display order. Carriers price the `destination` (postcode/city/country)
    and the `parcel`; without a destination they are listed as "enter your address for a price", not asked."""
    country = destination.country if destination is not None and destination.country else country
    methods = [m for m in DeliveryMethod.objects.filter(enabled=True).select_related("provider")
               if not country or m.delivers_to(country)]
    carriers = [m for m in methods if m.kind == Kind.CARRIER and m.provider_id]
    asked = bool(carriers) and destination_known(destination)
    parcel = parcel or default_parcel()
    live = carrier_quotes(carriers, subtotal, destination, parcel) if asked else {}
    estimated = {m.code: q for m in carriers if asked and m.code not in live
                 for q in [estimated_quote(m, subtotal, destination, parcel)] if q is not None}
    quotes = []
    for method in methods:
        if method.kind == Kind.CARRIER:
            if method.code in live or method.code in estimated:
                quotes.append(live.get(method.code) or estimated[method.code])
            elif not asked:
                quotes.append(_awaiting_address(method))
        elif method.kind == Kind.EMERGENCY:
            if not live and not estimated and (asked or not carriers):
                quotes.append(_quote(method, subtotal))
        else:
            quotes.append(_quote(method, subtotal))
    return quotes


def destination_known(destination: Location | None) -> bool:
    return destination is not None and bool(destination.country) and bool(destination.postcode or destination.city)


def delivery_countries() -> list[str]:
    """Every country some enabled method delivers to: the countries the address form offers."""
    methods = DeliveryMethod.objects.filter(enabled=True)
    return sorted({code for method in methods if method.needs_address for code in method.country_codes})


def delivery_quote(code: str, subtotal: Money, destination: Location | None = None,
                   parcel: Parcel | None = None) -> Quote | None:
    """The quote for a chosen method without calling anyone: a carrier's is the price shown at the delivery step for
    this destination and parcel (None once forgotten, or for another address: the shopper is sent back to the
    delivery step and gets a fresh one)."""
    method = DeliveryMethod.objects.filter(enabled=True, code=code).first()
    if method is None:
        return None
    if method.kind == Kind.CARRIER:
        if not destination_known(destination):
            return None
        data = lenient_cache.get(_cache_key(method, destination, parcel or default_parcel()))
        option = option_from(data)
        return _carrier_quote(method, option, subtotal, estimated=data.get("estimated", False)) if option else None
    return _quote(method, subtotal)


def method_requote(code: str, subtotal: Money, destination: Location, parcel: Parcel) -> Quote | None:
    """Ask one carrier method again for a new address (within the deadline); None: it cannot price it now."""
    method = DeliveryMethod.objects.filter(enabled=True, code=code, kind=Kind.CARRIER).select_related(
        "provider").first()
    if method is None or not method.provider_id or not destination_known(destination):
        return None
    return (carrier_quotes([method], subtotal, destination, parcel).get(code)
            or estimated_quote(method, subtotal, destination, parcel))


def estimated_quote(method, subtotal: Money, destination: Location, parcel: Parcel) -> Quote | None:
    """The carrier is out: its last good price for this route plus the method's markup, if the method offers that.
    Remembered like a live price, so review and order placement charge exactly this and record it as estimated."""
    if not method.estimate_when_out:
        return None
    try:
        option = route_estimate(method, carrier_origin(method.provider), destination, parcel)
    except Misconfigured:
        return None
    if option is None:
        return None
    lenient_cache.set(_cache_key(method, destination, parcel), {**option_data(option), "estimated": True},
                      settings.SHIPPING_QUOTE_TTL)
    return _carrier_quote(method, option, subtotal, estimated=True)


def carrier_quotes(methods, subtotal: Money, destination: Location, parcel: Parcel,
                   deadline: float | None = None) -> dict[str, Quote]:
    """{method code: live Quote} from the carriers that answered within the deadline."""
    deadline = settings.SHIPPING_QUOTE_DEADLINE if deadline is None else deadline
    usable = {p.pk for p in providers_available(Provider.Kind.SHIPPING)}  # open breaker / disabled: skipped at once
    asked = [m for m in methods if m.provider_id in usable]
    if not asked:
        return {}
    pool = ThreadPoolExecutor(max_workers=len(asked), thread_name_prefix="quote")
    try:
        futures = {pool.submit(_ask, method, parcel, destination, deadline): method for method in asked}
        done, late = wait(futures, timeout=deadline)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)  # a late carrier finishes in the background, unwaited
    for future in late:
        log.warning("delivery quote: %s did not answer within %.1f s; left out", futures[future].provider.code,
                    deadline)
    quotes = {}
    for future in done:
        method = futures[future]
        try:
            option = future.result()
        except Exception:  # a bug in one adapter must not take the delivery step down: logged, carrier left out
            log.exception("delivery quote: %s failed unexpectedly; left out", method.provider.code)
            continue
        if option is not None:
            lenient_cache.set(_cache_key(method, destination, parcel), option_data(option), settings.SHIPPING_QUOTE_TTL)
            route_remember(method, carrier_origin(method.provider), destination, parcel, option)
            quotes[method.code] = _carrier_quote(method, option, subtotal)
    return quotes


def carrier_origin(provider) -> Location:
    """Where parcels leave from: the provider's config "origin" (a carrier city code, or postcode/city/country)."""
    try:
        return Location(**provider.config.get("origin", {}))
    except TypeError as error:
        raise Misconfigured(f"{provider.code}: config origin: {error}") from None


def remembered_option(method, destination: Location, parcel: Parcel) -> Option | None:
    """The option shown at the delivery step for this destination and parcel (live or estimated), if still kept."""
    return option_from(lenient_cache.get(_cache_key(method, destination, parcel)))


def _ask(method, parcel, destination, deadline) -> Option | None:
    """Runs in a pool thread: one carrier's cheapest fitting option, or None when it failed (call() recorded it)."""
    try:
        origin = carrier_origin(method.provider)
        adapter = adapter_for(method.provider)
        options = call(method.provider, "quote", partial(adapter.quote, parcel, origin, destination),
                       timeout=deadline)
        return _pick(method, options)
    except ProviderError as error:
        log.info("delivery quote: %s left out: %s: %s", method.provider.code, type(error).__name__, error)
        return None
    finally:
        connections.close_all()  # this thread's own connections (Attempt rows were written on them)


def _pick(method, options) -> Option | None:
    fitting = [o for o in options if o.price.currency == settings.SHOP_CURRENCY
               and (not method.service or o.service == method.service)]
    return min(fitting, key=lambda o: o.price.amount) if fitting else None


def _carrier_quote(method, option: Option, subtotal: Money, estimated: bool = False) -> Quote:
    price = option.price
    if method.free_over is not None and subtotal.amount >= method.free_over:
        price = Money(0, settings.SHOP_CURRENCY)
    description = method.description
    if option.days_max:
        days = _("%(low)s–%(high)s working days") % {"low": option.days_min or option.days_max,
                                                      "high": option.days_max}
        description = f"{description} ({days})" if description else days
    return Quote(method.code, method.name, price, True, description, live=True,
                 countries=tuple(method.country_codes), to_point=option.to_pickup_point, estimated=estimated)


def _awaiting_address(method) -> Quote:
    return Quote(method.code, method.name, Money(0, settings.SHOP_CURRENCY), True, method.description,
                 available=False, unavailable_reason=_("Enter your postcode and city above to see the price."),
                 countries=tuple(method.country_codes), live=True, awaits_address=True)


def _quote(method: DeliveryMethod, subtotal: Money) -> Quote:
    description = method.pickup_address if method.kind == Kind.PICKUP else method.description
    return Quote(method.code, method.name, method.cost_for(subtotal), method.needs_address, description,
                 countries=tuple(method.country_codes) if method.needs_address else ())


def _cache_key(method, destination: Location, parcel: Parcel) -> str:
    # The exact route, weight and size: the price read back at review and placement is the one quoted for them.
    route = "|".join([destination.country.upper(), destination.postcode.replace(" ", "").upper(),
                      " ".join(destination.city.split()).casefold(), str(parcel.weight_grams),
                      f"{parcel.length_cm}x{parcel.width_cm}x{parcel.height_cm}"])
    digest = hashlib.sha256(route.encode()).hexdigest()[:24]
    return f"shipping:quote:{method.code}:{method.provider_id}:{method.service}:{digest}"
