"""Delivery quotes for checkout: fixed and pickup prices locally, carriers live within one deadline.

Every enabled carrier method is asked at once, in parallel, with one overall deadline
(settings.SHIPPING_QUOTE_DEADLINE, default 2 s): a carrier that hangs, fails or whose breaker is open is left out
and never holds the page longer than that. When no carrier answered with a price, the emergency method (kind
"emergency", a fixed price staff set up) is offered in their place, so the list is never empty because a carrier
is down. A live price is remembered (cache, SHIPPING_QUOTE_TTL) per method and parcel weight band: the review
page and order placement read it back and never call a carrier (order placement runs inside a transaction).
"""

import logging
from concurrent.futures import ThreadPoolExecutor, wait
from decimal import Decimal
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

log = logging.getLogger(__name__)
Kind = DeliveryMethod.Kind


def delivery_quotes(subtotal: Money, country: str = "") -> list[Quote]:
    """Quotes for every enabled delivery method a shopper can choose now (that delivers to `country`, when
    given), in display order."""
    methods = [m for m in DeliveryMethod.objects.filter(enabled=True).select_related("provider")
               if not country or m.delivers_to(country)]
    carriers = [m for m in methods if m.kind == Kind.CARRIER and m.provider_id]
    live = carrier_quotes(carriers, subtotal) if carriers else {}
    quotes = []
    for method in methods:
        if method.kind == Kind.CARRIER:
            if method.code in live:
                quotes.append(live[method.code])
        elif method.kind == Kind.EMERGENCY:
            if not live:
                quotes.append(_quote(method, subtotal))
        else:
            quotes.append(_quote(method, subtotal))
    return quotes


def delivery_countries() -> list[str]:
    """Every country some enabled method delivers to: the countries the address form offers."""
    methods = DeliveryMethod.objects.filter(enabled=True)
    return sorted({code for method in methods if method.needs_address for code in method.country_codes})


def delivery_quote(code: str, subtotal: Money) -> Quote | None:
    """The quote for a chosen method without calling anyone: a carrier's is the price shown at the delivery step
    (None once forgotten: the shopper is sent back to choose again and gets a fresh one)."""
    method = DeliveryMethod.objects.filter(enabled=True, code=code).first()
    if method is None:
        return None
    if method.kind == Kind.CARRIER:
        option = remembered_option(method)
        return _carrier_quote(method, option, subtotal) if option else None
    return _quote(method, subtotal)


def carrier_quotes(methods, subtotal: Money, deadline: float | None = None) -> dict[str, Quote]:
    """{method code: live Quote} from the carriers that answered within the deadline."""
    deadline = settings.SHIPPING_QUOTE_DEADLINE if deadline is None else deadline
    usable = {p.pk for p in providers_available(Provider.Kind.SHIPPING)}  # open breaker / disabled: skipped at once
    asked = [m for m in methods if m.provider_id in usable]
    if not asked:
        return {}
    parcel = default_parcel()
    pool = ThreadPoolExecutor(max_workers=len(asked), thread_name_prefix="quote")
    try:
        futures = {pool.submit(_ask, method, parcel, deadline): method for method in asked}
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
            lenient_cache.set(_cache_key(method, parcel), _remember(option), settings.SHIPPING_QUOTE_TTL)
            quotes[method.code] = _carrier_quote(method, option, subtotal)
    return quotes


def default_parcel() -> Parcel:
    # Products carry no weight yet: every order is quoted as one parcel of the configured weight.
    return Parcel(weight_grams=settings.SHIPPING_DEFAULT_PARCEL_GRAMS)


def carrier_route(provider) -> tuple[Location, Location]:
    """Where parcels leave from (config "origin") and the destination quotes are priced to (config "destination")."""
    config = provider.config
    try:
        return Location(**config.get("origin", {})), Location(**config.get("destination", {}))
    except TypeError as error:
        raise Misconfigured(f"{provider.code}: config origin/destination: {error}") from None


def remembered_option(method) -> Option | None:
    data = lenient_cache.get(_cache_key(method, default_parcel()))
    if not isinstance(data, dict):
        return None
    return Option(data["service"], data["name"], Money(Decimal(data["amount"]), data["currency"]),
                  data["days_min"], data["days_max"], data["to_pickup_point"])


def _ask(method, parcel, deadline) -> Option | None:
    """Runs in a pool thread: one carrier's cheapest fitting option, or None when it failed (call() recorded it)."""
    try:
        origin, destination = carrier_route(method.provider)
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


def _carrier_quote(method, option: Option, subtotal: Money) -> Quote:
    price = option.price
    if method.free_over is not None and subtotal.amount >= method.free_over:
        price = Money(0, settings.SHOP_CURRENCY)
    description = method.description
    if option.days_max:
        days = _("%(low)s–%(high)s working days") % {"low": option.days_min or option.days_max,
                                                      "high": option.days_max}
        description = f"{description} ({days})" if description else days
    return Quote(method.code, method.name, price, True, description, live=True,
                 countries=tuple(method.country_codes))


def _quote(method: DeliveryMethod, subtotal: Money) -> Quote:
    description = method.pickup_address if method.kind == Kind.PICKUP else method.description
    return Quote(method.code, method.name, method.cost_for(subtotal), method.needs_address, description,
                 countries=tuple(method.country_codes) if method.needs_address else ())


def _remember(option: Option) -> dict:
    return {"service": option.service, "name": option.name, "amount": str(option.price.amount),
            "currency": option.price.currency, "days_min": option.days_min, "days_max": option.days_max,
            "to_pickup_point": option.to_pickup_point}


def _cache_key(method, parcel: Parcel) -> str:
    band = -(-parcel.weight_grams // 500)  # 500 g bands
    return f"shipping:quote:{method.code}:{method.provider_id}:{method.service}:{band}"
