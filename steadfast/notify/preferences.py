"""Customers choose their channels; the worker follows the choice.

Groups of message kinds a customer can route (account page /account/messages/). Both are transactional: e-mail can
be switched off for a group only when another channel is chosen *and* reachable (a phone for SMS, a linked Telegram
chat), and e-mail stays the last resort when every chosen channel refused the person, so an order message is never
lost to a setting. Messages not in a group (sign-up links, newsletter, staff) keep the shop's chain.
At delivery, `chain_for_person` filters the shop's chain to the chosen channels (in the shop's order) and adds the
addresses the customer gave in their account: the phone and the linked Telegram chat.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from steadfast.notify.models import ChannelPreference, TelegramLink

GROUPS = {
    "orders": (gettext_lazy("Orders and payments"),
               ("order_confirmation", "order_confirm_request", "order_paid", "order_cancelled", "payment_recovered",
                "payment_link")),
    "shipping": (gettext_lazy("Shipping updates"), ("order_shipped",)),
}
CUSTOMER_CHANNELS = ("email", "sms", "telegram")


def group_of(kind: str) -> str:
    return next((name for name, (_label, kinds) in GROUPS.items() if kind in kinds), "")


def preference_validate(choices: dict, phone: str, telegram_linked: bool) -> dict:
    """{"orders": ["sms"], ...} cleaned; ValidationError naming the group when it would leave nobody to tell."""
    cleaned = {}
    for group, (label, _kinds) in GROUPS.items():
        chosen = [channel for channel in CUSTOMER_CHANNELS if channel in (choices.get(group) or [])]
        reachable = {"email": True, "sms": bool(phone), "telegram": telegram_linked}
        if "sms" in chosen and not phone:
            raise ValidationError(_("%(group)s: SMS needs a phone number.") % {"group": label})
        if "telegram" in chosen and not telegram_linked:
            raise ValidationError(_("%(group)s: link Telegram first (the button below).") % {"group": label})
        if not any(reachable[channel] for channel in chosen):
            raise ValidationError(_("%(group)s: keep e-mail, or choose SMS with a phone number or a linked "
                                    "Telegram chat.") % {"group": label})
        cleaned[group] = chosen
    return cleaned


def preference_save(user, choices: dict, phone: str) -> ChannelPreference:
    linked = TelegramLink.objects.filter(user=user).exists()
    cleaned = preference_validate(choices, phone.strip(), linked)
    preference, _created = ChannelPreference.objects.update_or_create(
        user=user, defaults={"choices": cleaned, "phone": phone.strip()})
    return preference


def chain_for_person(message, chain: list[str]) -> tuple[list[str], dict]:
    """(the chain this person gets, addresses to add) for one message."""
    order = message.order
    extra = {}
    if order is not None:
        link = TelegramLink.objects.filter(order=order).first() or (
            TelegramLink.objects.filter(user_id=order.user_id).first() if order.user_id else None)
        if link is not None:
            extra["telegram"] = link.chat_id
    group = group_of(message.kind)
    preference = ChannelPreference.objects.filter(user_id=order.user_id).first() \
        if order is not None and order.user_id and group else None
    if preference is None or group not in preference.choices:
        return chain, extra
    if preference.phone:
        extra.setdefault("sms", preference.phone)
    chosen = [channel for channel in chain if channel in preference.choices[group]]
    if "email" not in chosen:
        chosen.append("email")  # the last resort: an order message is never lost to a setting
    return chosen, extra
