"""Delivery attempts of an order's messages, on the order's timeline (staff and the customer see it)."""

from django.utils import translation
from django.utils.translation import gettext as _

from steadfast.orders.services import SYSTEM, order_event_add

CHANNEL_LABELS = {"email": "e-mail", "sms": "SMS", "telegram": "Telegram", "apprise": "Apprise"}


def timeline_note(message, attempt) -> None:
    if message.order_id is None:
        return
    with translation.override(message.order.language or "en"):  # the timeline reads in the customer's language
        text = _("Message %(kind)s by %(channel)s (%(provider)s): %(outcome)s") % {
            "kind": message.kind, "channel": CHANNEL_LABELS.get(attempt.channel, attempt.channel),
            "provider": attempt.provider, "outcome": attempt.get_outcome_display(),
        }
    order_event_add(message.order, "message", SYSTEM, text)
