"""{% telegram_offer order %}: on the order page after checkout, "get updates on Telegram" with the bot's deep link
(nothing when the shop has no Telegram bot, or the order's chat is already linked)."""

from django import template

from steadfast.notify.models import TelegramLink
from steadfast.notify.telegram_link import deep_link

register = template.Library()


@register.inclusion_tag("notify/_telegram_offer.html")
def telegram_offer(order):
    linked = TelegramLink.objects.filter(order=order).exists() or (
        order.user_id is not None and TelegramLink.objects.filter(user_id=order.user_id).exists())
    return {"url": "" if linked else deep_link(order=order), "linked": linked}
