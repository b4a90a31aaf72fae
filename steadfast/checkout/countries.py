"""Country names for the address form and the order page, in the shopper's language (from Babel's CLDR data)."""

from functools import cache

from babel import Locale, UnknownLocaleError
from django.conf import settings
from django.utils import translation

# CLDR territories that are groupings or placeholders, not places a parcel can go.
NOT_COUNTRIES = {"EU", "EZ", "UN", "ZZ", "QO", "XA", "XB"}
DEFAULT_COUNTRY = "PL"


@cache
def _names(language: str) -> dict[str, str]:
    try:
        locale = Locale.parse(translation.to_locale(language))
    except (UnknownLocaleError, ValueError):
        locale = Locale.parse("en")
    return {
        code: name for code, name in locale.territories.items()
        if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES
    }


def country_choices() -> list[tuple[str, str]]:
    names = _names(translation.get_language() or settings.LANGUAGE_CODE)
    return sorted(names.items(), key=lambda item: item[1].casefold())


def country_name(code: str) -> str:
    return _names(translation.get_language() or settings.LANGUAGE_CODE).get(code, code)
