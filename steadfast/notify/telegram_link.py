"""Linking a customer's Telegram chat: the deep link t.me/<bot>?start=<token>, and the bot's webhook.

The token names an order ("o<id>_<mac>", offered on the order page after checkout) or an account ("u<id>_<mac>",
offered on /account/messages/); the mac is an HMAC of it with SECRET_KEY, so a token cannot be guessed or moved to
someone else's order, and nothing is stored until the person presses Start. Telegram then POSTs the update
"/start <token>" to /notify/telegram/<provider code>/ with X-Telegram-Bot-Api-Secret-Token, which must equal
STEADFAST_<CODE>_WEBHOOK_SECRET (register it with setWebhook: see docs/messages.md). The chat is linked and the bot
answers through the outbox (kind "telegram_linked"). Anything else sent to the bot is answered with 200 and ignored.
"""

import hashlib
import hmac
import json
import logging

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from steadfast.notify.models import TelegramLink
from steadfast.notify.outbox import outbox_add
from steadfast.providers.models import Provider
from steadfast.providers.secrets import provider_secret

log = logging.getLogger(__name__)


def _mac(subject: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"telegram-link:{subject}".encode(), hashlib.sha256)
    return digest.hexdigest()[:24]


def link_token(*, order=None, user=None) -> str:
    subject = f"o{order.pk}" if order is not None else f"u{user.pk}"
    return f"{subject}_{_mac(subject)}"  # <= 64 characters of [A-Za-z0-9_], as Telegram's start parameter allows


def telegram_bot():
    """The enabled Telegram provider customers link to, and its bot's username ("" when there is none)."""
    provider = Provider.objects.filter(kind=Provider.Kind.NOTIFY, adapter="telegram", enabled=True) \
        .order_by("priority", "code").first()
    return provider, str((provider.config or {}).get("bot_username", "")) if provider else ""


def deep_link(*, order=None, user=None) -> str:
    _provider, bot = telegram_bot()
    return f"https://t.me/{bot}?start={link_token(order=order, user=user)}" if bot else ""


def telegram_link(token: str, chat_id: str) -> TelegramLink | None:
    """Link the chat named by a valid token; None for a token that is not ours. Idempotent."""
    subject, _sep, mac = token.partition("_")
    if not subject[1:].isdigit() or subject[:1] not in ("o", "u") or not hmac.compare_digest(mac, _mac(subject)):
        return None
    from steadfast.orders.models import Order

    with transaction.atomic():
        if subject[0] == "o":
            order = Order.objects.filter(pk=int(subject[1:])).first()
            if order is None:
                return None
            link, _created = TelegramLink.objects.update_or_create(order=order, defaults={"chat_id": chat_id,
                                                                                         "linked_at": timezone.now()})
            language = order.language
        else:
            link, _created = TelegramLink.objects.update_or_create(user_id=int(subject[1:]), defaults={
                "chat_id": chat_id, "linked_at": timezone.now()})
            language = "en"
        outbox_add(key=f"telegram_linked:{subject}:{chat_id}", kind="telegram_linked", recipient=f"telegram {chat_id}",
                   order=link.order, addresses={"telegram": chat_id},
                   payload={"language": language, "number": link.order.number if link.order else ""})
    return link


@csrf_exempt
@require_POST
def telegram_webhook(request, code):
    provider = Provider.objects.filter(code=code, kind=Provider.Kind.NOTIFY, adapter="telegram").first()
    if provider is None:
        raise Http404
    secret = provider_secret(provider, "webhook_secret")
    given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    if not secret or not hmac.compare_digest(given, secret):
        return HttpResponseForbidden("secret token does not match")
    try:
        message = json.loads(request.body).get("message") or {}
        text, chat_id = str(message.get("text", "")), str(message["chat"]["id"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return HttpResponse(status=200)  # not a message we act on; Telegram must not retry it
    command, _sep, token = text.partition(" ")
    if command == "/start" and token and telegram_link(token.strip(), chat_id) is None:
        log.warning("telegram: /start with a token that is not ours")
    return HttpResponse(status=200)
