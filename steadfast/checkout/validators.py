"""One set of validators for what customers type, shared by the checkout forms and the JSON API.

Each returns the cleaned value or raises django.core.exceptions.ValidationError with a message the customer can act
on (the API turns it into a 422 with that message). Names, addresses and notes refuse null bytes, control characters
and invisible direction/format characters (a right-to-left override turns "gpj.exe" into what looks like
"exe.jpg" in an admin list or a courier label); phones are parsed and normalised with `phonenumbers`; countries are
CLDR territory codes (Babel), the same list the address form offers.
"""

import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from steadfast.checkout.countries import DEFAULT_COUNTRY, _names

ALLOWED_CONTROLS = {"\n", "\r", "\t"}  # only where a text may have several lines (notes)


def clean_text(value: str, *, multiline: bool = False) -> str:
    """Refuse null bytes, control characters and Unicode format characters (bidi overrides, zero-width)."""
    for char in value:
        category = unicodedata.category(char)
        if char == "\x00":
            raise ValidationError(_("Null characters are not allowed."), code="null_characters")
        if category == "Cc" and not (multiline and char in ALLOWED_CONTROLS):
            raise ValidationError(_("Control characters are not allowed."), code="control_characters")
        if category in ("Cf", "Co", "Cs", "Cn"):
            raise ValidationError(_("Invisible or unassigned characters (such as text direction marks) are not "
                                    "allowed."), code="format_characters")
    return value if multiline else " ".join(value.split())


def clean_phone(value: str, region: str = "") -> str:
    """A phone number parsed for the delivery country (or the shop's), returned as +CC NNN NNN NNN."""
    text = clean_text(value)
    try:
        number = phonenumbers.parse(text, (region or DEFAULT_COUNTRY).upper())
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(_("Enter a valid phone number, e.g. +48 600 100 200."), code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def clean_country(value: str) -> str:
    code = value.strip().upper()
    if code not in _names("en"):
        raise ValidationError(_("Choose a country from the list (an ISO 3166 code such as PL)."),
                              code="invalid_country")
    return code
