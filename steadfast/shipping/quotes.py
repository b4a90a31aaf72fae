from steadfast.money import Money
from steadfast.shipping.interface import Quote
from steadfast.shipping.models import DeliveryMethod


def delivery_quotes(subtotal: Money, country: str = "") -> list[Quote]:
    """Quotes for every enabled delivery method (that delivers to `country`, when given), in display order."""
    methods = DeliveryMethod.objects.filter(enabled=True)
    return [_quote(method, subtotal) for method in methods if not country or method.delivers_to(country)]


def delivery_countries() -> list[str]:
    """Every country some enabled method delivers to: the countries the address form offers."""
    methods = DeliveryMethod.objects.filter(enabled=True)
    return sorted({code for method in methods if method.needs_address for code in method.country_codes})


def delivery_quote(code: str, subtotal: Money) -> Quote | None:
    method = DeliveryMethod.objects.filter(enabled=True, code=code).first()
    return _quote(method, subtotal) if method else None


def _quote(method: DeliveryMethod, subtotal: Money) -> Quote:
    description = method.pickup_address if method.kind == DeliveryMethod.Kind.PICKUP else method.description
    return Quote(method.code, method.name, method.cost_for(subtotal), method.needs_address, description,
                 countries=tuple(method.country_codes) if method.needs_address else ())
