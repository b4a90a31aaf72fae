"""Provider secrets come only from environment variables STEADFAST_<CODE>_<NAME>: never stored, never logged."""

import os


def _prefix(provider) -> str:
    return f"STEADFAST_{provider.code.upper().replace('-', '_')}_"


def provider_secret(provider, name: str, default: str = "") -> str:
    """provider_secret(stripe, "secret_key") reads STEADFAST_STRIPE_SECRET_KEY."""
    return os.environ.get(_prefix(provider) + name.upper().replace("-", "_"), default)


def provider_secret_values(provider) -> list[str]:
    """Every secret value set for this provider, longest first, so messages can be scrubbed of them."""
    prefix = _prefix(provider)
    values = [value for key, value in os.environ.items() if key.startswith(prefix) and len(value) >= 4]
    return sorted(values, key=len, reverse=True)


def scrub(text: str, provider) -> str:
    for value in provider_secret_values(provider):
        text = text.replace(value, "***")
    return text
