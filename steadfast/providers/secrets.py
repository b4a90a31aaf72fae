"""Provider secrets come only from environment variables STEADFAST_<CODE>_<NAME>: never stored, never logged."""

import os


def provider_secret_env(code: str, name: str) -> str:
    """The variable holding a provider's secret: provider_secret_env("card-eu", "secret_key") is
    STEADFAST_CARD_EU_SECRET_KEY. The one place this naming rule lives (docs, messages and tests use it)."""
    return f"STEADFAST_{code.upper().replace('-', '_')}_{name.upper().replace('-', '_')}"


def _prefix(provider) -> str:
    return provider_secret_env(provider.code, "")


def provider_secret(provider, name: str, default: str = "") -> str:
    """provider_secret(stripe, "secret_key") reads STEADFAST_STRIPE_SECRET_KEY."""
    return os.environ.get(provider_secret_env(provider.code, name), default)


def provider_secret_values(provider) -> list[str]:
    """Every secret value set for this provider, longest first, so messages can be scrubbed of them."""
    prefix = _prefix(provider)
    values = [value for key, value in os.environ.items() if key.startswith(prefix) and len(value) >= 4]
    return sorted(values, key=len, reverse=True)


def scrub(text: str, provider) -> str:
    for value in provider_secret_values(provider):
        text = text.replace(value, "***")
    return text
