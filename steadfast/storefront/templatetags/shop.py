from decimal import Decimal

from babel.numbers import format_currency
from django import template
from django.conf import settings
from django.utils import translation

from steadfast.money import Money

register = template.Library()

# CLDR minimumGroupingDigits, which Babel does not apply: Polish writes 1234,50 but 12 345,50.
MIN_GROUPING_DIGITS = {"pl": 2}


@register.filter
def money(value, currency=None):
    """Format a Money or Decimal for the active language: €1,234.50 / 1234,50 € / 1 234,50 €."""
    if value is None or value == "":
        return ""
    if isinstance(value, Money):
        amount, currency = value.amount, value.currency
    else:
        amount, currency = Decimal(value), currency or settings.SHOP_CURRENCY
    locale = translation.to_locale(translation.get_language() or settings.LANGUAGE_CODE)
    grouping = abs(amount) >= 10 ** (2 + MIN_GROUPING_DIGITS.get(locale.split("_")[0], 1))
    return format_currency(amount, currency, locale=locale, group_separator=grouping)
