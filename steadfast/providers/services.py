"""Manual changes to providers (admin and CLI). Each one is a ProviderAudit row: who, when, why."""

import re
from urllib.parse import urlsplit

from django.db import transaction
from django.utils.translation import gettext as _

from steadfast.providers.breaker import CLOSED, DISABLED, HALF_OPEN, OPEN, breaker_reset, health_event_create
from steadfast.providers.models import ProviderAudit
from steadfast.providers.secrets import (
    provider_secret,  # noqa: F401  (re-exported: services is the public API)
    provider_secret_env,
)
from steadfast.providers.selectors import provider_state

KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
# Config is stored in the database and shown in the admin: anything that looks like a credential belongs in
# the environment (STEADFAST_<CODE>_<NAME>) instead.
SECRET_WORDS = ("secret", "password", "passwd", "token", "private", "api_key", "apikey", "credential", "signing")
SECONDS_KEYS = ("connect_timeout", "read_timeout", "cooldown")


class ProviderChangeError(ValueError):
    """Bad input for a manual change; the message is meant for the person who made it."""


def provider_disable(provider, user=None, reason="", actor=""):
    reason = _clean_reason(reason)
    if not provider.enabled:
        raise ProviderChangeError(_("%(provider)s is already disabled.") % {"provider": provider.code})
    from_state = provider_state(provider)
    with transaction.atomic():
        provider.enabled = False
        provider.save(update_fields=["enabled"])
        _audit(provider, user, actor, ProviderAudit.Action.DISABLE, reason)
        health_event_create(provider, from_state, DISABLED, reason)


def provider_enable(provider, user=None, reason="", actor=""):
    reason = _clean_reason(reason)
    if provider.enabled:
        raise ProviderChangeError(_("%(provider)s is already enabled.") % {"provider": provider.code})
    with transaction.atomic():
        provider.enabled = True
        provider.save(update_fields=["enabled"])
        _audit(provider, user, actor, ProviderAudit.Action.ENABLE, reason)
        health_event_create(provider, DISABLED, CLOSED, reason)
    # Staff brought it back on purpose: start from a clean breaker rather than from a stale outage.
    breaker_reset(provider)


def provider_configure(provider, user, key, value, reason, actor=""):
    """Set config[key] = value (None removes the key). Secrets are refused: they live in the environment."""
    reason = _clean_reason(reason)
    key = (key or "").strip()
    _check_key(provider, key)
    config = dict(provider.config)
    value = _check_value(key, value)
    old = config.get(key)
    if value is None:
        config.pop(key, None)
    else:
        config[key] = value
    _save_config(provider, user, actor, reason, config, {"key": key, "old": old, "new": value})


def provider_config_check(provider, config) -> dict:
    """A whole config (the admin form) checked key by key; returns it normalised or raises ProviderChangeError."""
    if not isinstance(config, dict):
        raise ProviderChangeError(_("The configuration must be a JSON object."))
    checked = {}
    for key, value in config.items():
        _check_key(provider, key)
        checked[key] = _check_value(key, value)
    return {key: value for key, value in checked.items() if value is not None}


def provider_config_replace(provider, user, config, reason, actor=""):
    reason = _clean_reason(reason)
    config = provider_config_check(provider, config)
    old = provider.config
    changed = {
        key: {"old": old.get(key), "new": config.get(key)}
        for key in sorted(old.keys() | config.keys()) if old.get(key) != config.get(key)
    }
    _save_config(provider, user, actor, reason, config, {"changes": changed})


def _save_config(provider, user, actor, reason, config, details):
    with transaction.atomic():
        provider.config = config
        provider.save(update_fields=["config"])
        _audit(provider, user, actor, ProviderAudit.Action.CONFIGURE, reason, details)
    state = provider_state(provider)
    if state in (OPEN, HALF_OPEN):
        # A fixed configuration deserves a fresh chance rather than waiting out the cool-down.
        breaker_reset(provider)
        health_event_create(provider, state, CLOSED, _("configuration changed: %(reason)s") % {"reason": reason})


def _check_key(provider, key):
    if not isinstance(key, str) or not KEY_RE.match(key):
        raise ProviderChangeError(_("Invalid key %(key)r: use lower-case letters, digits and _.") % {"key": key})
    if any(word in key for word in SECRET_WORDS):
        raise ProviderChangeError(
            _("%(key)s looks like a secret. Secrets are never stored: set the environment variable %(env)s.")
            % {"key": key, "env": provider_secret_env(provider.code, key)}
        )


def _clean_reason(reason) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ProviderChangeError(_("A reason is required: say why, for whoever looks at this later."))
    if len(reason) > 500:
        raise ProviderChangeError(_("The reason is too long (at most 500 characters)."))
    return reason


def _check_value(key, value):
    if key == "api_base" and value is not None:
        parts = urlsplit(str(value))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ProviderChangeError(_("api_base must be an http:// or https:// URL."))
        return str(value).rstrip("/")
    if key in SECONDS_KEYS and value is not None:
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = -1.0
        if not 0 < number <= 300:
            raise ProviderChangeError(_("%(key)s must be a number of seconds between 0 and 300.") % {"key": key})
        return number
    return value


def _audit(provider, user, actor, action, reason, details=None):
    actor = user.get_username() if user is not None else (actor or "system")
    ProviderAudit.objects.create(
        provider=provider, user=user, actor=actor[:150], action=action, reason=reason, details=details or {}
    )
