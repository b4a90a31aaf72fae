"""Small helpers shared by the JSON/REST gateways (PayPal, YooKassa): amounts as strings, reading answers safely.

A provider's answer is outside input: any missing field or wrong type must end as Unavailable ("the provider
sent garbage"), never as a KeyError turning into a 500 page.
"""

from decimal import Decimal, InvalidOperation

import httpx

from steadfast.money import Money
from steadfast.providers.errors import Unavailable

# Currencies without minor units at PayPal and YooKassa; sending "100.00" JPY is refused.
ZERO_DECIMAL = {"HUF", "JPY", "TWD"}


def decimal_string(money: Money) -> str:
    """Money as the decimal string both APIs want ("10.00", or "1000" for zero-decimal currencies)."""
    if money.currency.upper() in ZERO_DECIMAL:
        return str(Decimal(money.amount).to_integral_value())
    return f"{Decimal(money.amount):.2f}"


def money_from(data) -> Money | None:
    """{"value": "10.00", "currency"/"currency_code": "EUR"} -> Money; None when absent or unreadable."""
    if not isinstance(data, dict):
        return None
    currency = data.get("currency") or data.get("currency_code")
    value = data.get("value")
    if not isinstance(currency, str) or not isinstance(value, str):
        return None
    try:
        return Money(Decimal(value), currency.upper())
    except (InvalidOperation, ValueError):
        return None


def json_object(response: httpx.Response) -> dict:
    """The body as a JSON object; anything else (HTML error page, truncated body, a list) is garbage."""
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError):
        raise Unavailable(f"HTTP {response.status_code}: malformed response body") from None
    if not isinstance(body, dict):
        raise Unavailable(f"HTTP {response.status_code}: response is not a JSON object")
    return body


def json_or_empty(response: httpx.Response) -> dict:
    """An error body for its message only: unreadable is fine, the status code already says enough."""
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError):
        return {}
    return body if isinstance(body, dict) else {}


def text(data: dict, name: str) -> str:
    """A required string field of a provider object."""
    value = data.get(name)
    if not isinstance(value, str) or not value:
        raise Unavailable(f"response without a usable {name!r}")
    return value
