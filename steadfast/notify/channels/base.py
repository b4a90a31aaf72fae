"""What every channel adapter gets: one rendered message and the addresses to send it to.

A channel adapter is a provider adapter (kind notify) with a class attribute `channel` (email | sms | telegram |
apprise) and `send(client, outgoing) -> provider message id`, called through providers.call(). Like every adapter
it does I/O only and raises the provider errors: Declined means "this address refused for good" (bad address, bot
blocked, invalid number) and moves the message to the next channel; Unavailable/Indeterminate are temporary;
Misconfigured takes the provider out.
"""

from dataclasses import dataclass, field

from steadfast.providers.errors import Misconfigured
from steadfast.providers.secrets import provider_secret, provider_secret_env


@dataclass(frozen=True)
class Outgoing:
    key: str  # the outbox dedupe key, sent where the protocol has a place for it
    to: tuple[str, ...]
    subject: str
    text: str
    html: str = ""
    language: str = "en"
    headers: dict = field(default_factory=dict)


def addresses(value) -> tuple[str, ...]:
    """An address field of an outbox row: one string or a list of them."""
    if isinstance(value, (list, tuple)):
        return tuple(str(item) for item in value if item)
    return (str(value),) if value else ()


def required_secret(provider, name) -> str:
    value = provider_secret(provider, name)
    if not value:
        raise Misconfigured(f"{provider_secret_env(provider.code, name)} is not set")
    return value
