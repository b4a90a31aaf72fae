"""Strict environment helpers: a bad value stops start-up with a message naming the variable."""

import ipaddress
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


def env_networks(name, default=()):
    """A comma-separated list of IP addresses or CIDR networks (10.0.0.0/8, ::1)."""
    networks = []
    for item in env_list(name, default):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            _fail(name, item, "IP addresses or networks such as 127.0.0.1, 10.0.0.0/8 or ::1, separated by commas")
    return networks
