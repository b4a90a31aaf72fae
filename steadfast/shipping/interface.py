"""Delivery interface. Fixed-price and pickup quotes are computed locally; carrier adapters plug in later."""

from dataclasses import dataclass

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
