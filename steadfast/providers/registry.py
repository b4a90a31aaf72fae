"""Adapters are registered in one place: settings.STEADFAST_ADAPTERS maps a key to a dotted class path."""

from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string


@cache
def adapter_class(key: str):
    try:
        path = settings.STEADFAST_ADAPTERS[key]
    except KeyError:
        raise ImproperlyConfigured(f"Unknown adapter {key!r}: add it to STEADFAST_ADAPTERS") from None
    return import_string(path)


def adapter_for(provider):
    return adapter_class(provider.adapter)(provider)


def has_probe(provider) -> bool:
    """Whether a background probe can test this provider (and so make the trial call after a cool-down). An adapter
    whose probe depends on the configuration says so with `probes(provider) -> bool` (e-mail: SMTP and two ESPs)."""
    try:
        cls = adapter_class(provider.adapter)
    except (ImproperlyConfigured, ImportError):
        return False
    if not callable(getattr(cls, "probe", None)):
        return False
    probes = getattr(cls, "probes", None)
    return probes(provider) if probes else True
