from steadfast.money import Money
from steadfast.shipping.interface import Quote
from steadfast.shipping.models import DeliveryMethod


def delivery_quotes(subtotal: Money) -> list[Quote]:
    """Quotes for every enabled delivery method, in display order."""
    return [_quote(method, subtotal) for method in DeliveryMethod.objects.filter(enabled=True)]


def delivery_quote(code: str, subtotal: Money) -> Quote | None:
    method = DeliveryMethod.objects.filter(enabled=True, code=code).first()
    return _quote(method, subtotal) if method else None


def _quote(method: DeliveryMethod, subtotal: Money) -> Quote:
    description = method.pickup_address if method.kind == DeliveryMethod.Kind.PICKUP else method.description
    return Quote(method.code, method.name, method.cost_for(subtotal), method.needs_address, description)
