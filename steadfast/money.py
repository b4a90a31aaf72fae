"""Money is a Decimal amount with a currency; never a float."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

CENT = Decimal("0.01")


def quantize(amount) -> Decimal:
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self):
        if isinstance(self.amount, float):
            raise TypeError("Money amounts must be Decimal, not float")
        object.__setattr__(self, "amount", quantize(self.amount))

    @classmethod
    def shop(cls, amount) -> "Money":
        return cls(Decimal(amount), settings.SHOP_CURRENCY)

    def __add__(self, other: "Money") -> "Money":
        self._same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __mul__(self, quantity: int) -> "Money":
        return Money(self.amount * quantity, self.currency)

    def _same_currency(self, other):
        if other.currency != self.currency:
            raise ValueError(f"cannot add {other.currency} to {self.currency}")

    @property
    def minor_units(self) -> int:
        """Amount in cents, as most payment APIs want it."""
        return int(self.amount * 100)

    def __str__(self):
        return f"{self.amount} {self.currency}"


def format_amount(amount) -> str:
    """The number alone, for the active language (30.90 / 30,90), for sentences that name the currency."""
    from babel.numbers import format_decimal
    from django.utils import translation

    locale = translation.to_locale(translation.get_language() or settings.LANGUAGE_CODE)
    return format_decimal(quantize(amount), format="#,##0.00", locale=locale, group_separator=False)
