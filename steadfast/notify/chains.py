"""Fallback chains: which channels a message tries, in order, and which providers carry each channel.

A chain is a list of channel types (email, sms, telegram, apprise). Staff edit them in the admin (MessageChain rows):
a row named after a message kind wins over the audience row ("customer" or "staff"), which wins over DEFAULT_CHAINS.
Each channel type is carried by the enabled notify providers whose adapter declares that type, in priority order.
"""

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.translation import gettext as _

from steadfast.notify.models import MessageChain
from steadfast.providers.models import Provider
from steadfast.providers.registry import adapter_class

CHANNEL_TYPES = ("email", "sms", "telegram", "apprise")
DEFAULT_CHAINS = {"customer": "email,sms,telegram", "staff": "telegram,sms,email,apprise",
                  "campaign": "email"}  # promotions by e-mail only, never SMS or Telegram
STAFF_KIND_PREFIX = "staff_"


def audience(kind: str) -> str:
    return "staff" if kind.startswith(STAFF_KIND_PREFIX) else "customer"


def chain_parse(text: str) -> list[str]:
    """"email, sms" -> ["email", "sms"]; unknown or repeated types are a ValidationError naming them."""
    steps = [part.strip().lower() for part in (text or "").split(",") if part.strip()]
    unknown = [step for step in steps if step not in CHANNEL_TYPES]
    if unknown:
        raise ValidationError(_("Unknown channel %(names)s; use %(known)s.") % {
            "names": ", ".join(unknown), "known": ", ".join(CHANNEL_TYPES)})
    if len(set(steps)) != len(steps):
        raise ValidationError(_("Each channel may appear once."))
    if not steps:
        raise ValidationError(_("Name at least one channel."))
    return steps


def chain_for(kind: str) -> list[str]:
    rows = dict(MessageChain.objects.filter(name__in=(kind, audience(kind))).values_list("name", "channels"))
    text = rows.get(kind) or DEFAULT_CHAINS.get(kind) or rows.get(audience(kind)) or DEFAULT_CHAINS[audience(kind)]
    try:
        return chain_parse(text)
    except ValidationError:  # a row saved around the admin's validation: fall back to the built-in order
        return chain_parse(DEFAULT_CHAINS[audience(kind)])


def channel_type(provider) -> str:
    try:
        return getattr(adapter_class(provider.adapter), "channel", "")
    except ImproperlyConfigured:  # an adapter key this installation does not know: not a channel
        return ""


def channel_providers(kind: str) -> list[Provider]:
    """Every notify provider carrying this channel type, enabled or not, in priority order (disabled ones are
    logged as skipped)."""
    providers = list(Provider.objects.filter(kind=Provider.Kind.NOTIFY).order_by("priority", "code"))
    if not providers:  # a fresh or flushed table: the e-mail channel every shop starts with comes back
        from steadfast.notify.defaults import notify_defaults_ensure

        notify_defaults_ensure(Provider, MessageChain)
        providers = list(Provider.objects.filter(kind=Provider.Kind.NOTIFY).order_by("priority", "code"))
    return [provider for provider in providers if channel_type(provider) == kind]
