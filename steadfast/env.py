"""Strict environment helpers: a bad value stops start-up with a message naming the variable."""

import ipaddress
import math
import os
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name):
    value = os.environ.get(name)
    return None if value is None else value.strip()


def _fail(name, value, expected):
    raise ImproperlyConfigured(f"Environment variable {name}={value!r} is invalid: expected {expected}.")


def env_str(name, default="", choices=None):
    value = _raw(name)
    if value is None:
        return default
    if choices is not None and value not in choices:
        _fail(name, value, "one of " + ", ".join(choices))
    return value


def env_int(name, default, minimum=None, maximum=None):
    value = _raw(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        _fail(name, value, "an integer")
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        _fail(name, value, f"an integer between {minimum} and {maximum}")
    return number


def env_float(name, default, minimum=None, maximum=None):
    """A number such as 0.5 (seconds, say), within [minimum, maximum]; NaN and infinity are refused."""
    value = _raw(name)
    if value is None or value == "":
        return float(default)
    try:
        number = float(value)
    except ValueError:
        _fail(name, value, "a number such as 2.5")
    if not math.isfinite(number) or (minimum is not None and number < minimum) or (
            maximum is not None and number > maximum):
        _fail(name, value, f"a number between {minimum} and {maximum}")
    return number


def env_decimal(name, default):
    value = _raw(name)
    if value is None or value == "":
        return Decimal(default)
    try:
        return Decimal(value)
    except InvalidOperation:
        _fail(name, value, "a decimal number such as 4.90")


def env_bool(name, default):
    value = _raw(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    _fail(name, value, "1/0, true/false, yes/no or on/off")


def env_list(name, default=()):
    value = _raw(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_url(name, default="", schemes=()):
    value = _raw(name)
    if value is None or value == "":
        return default
    scheme = value.split("://", 1)[0] if "://" in value else ""
    if schemes and scheme not in schemes:
        _fail(name, value, "a URL starting with " + " or ".join(f"{s}://" for s in schemes))
    return value


def env_country(name, default):
    """An ISO 3166-1 alpha-2 code (PL), checked against CLDR's territories (Babel)."""
    from babel import Locale

    value = _raw(name)
    if value is None or value == "":
        return default
    if len(value) != 2 or value.upper() not in Locale.parse("en").territories:
        _fail(name, value, "an ISO 3166-1 country code such as PL")
    return value.upper()


def env_time_zone(names, default):
    """The first of `names` that is set, as an IANA time zone name (Europe/Warsaw); else `default`."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    for name in names:
        value = _raw(name)
        if value is None or value == "":
            continue
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            _fail(name, value, "an IANA time zone name such as Europe/Warsaw")
        return value
    return default


def country_time_zone(country, country_variable, zone_variable):
    """The time zone of a country with one (or several that keep the same clock all year, like Germany's two).

    A country whose zones differ (US, Spain with the Canaries) has no single answer: start-up stops and asks for
    the zone variable rather than guess."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from babel.core import get_global

    zones = get_global("territory_zones").get(country, [])
    if not zones:
        return "UTC"
    clocks = {tuple(datetime(2026, month, 1, 12, tzinfo=ZoneInfo(z)).utcoffset() for month in (1, 7)) for z in zones}
    if len(clocks) > 1:
        raise ImproperlyConfigured(
            f"Environment variable {country_variable}={country!r} spans several time zones "
            f"({', '.join(sorted(zones)[:6])}{', …' if len(zones) > 6 else ''}): set {zone_variable} to the shop's "
            "one, e.g. Europe/Madrid."
        )
    return zones[0]


def env_networks(name, default=()):
    """A comma-separated list of IP addresses or CIDR networks (10.0.0.0/8, ::1)."""
    networks = []
    for item in env_list(name, default):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            _fail(name, item, "IP addresses or networks such as 127.0.0.1, 10.0.0.0/8 or ::1, separated by commas")
    return networks
