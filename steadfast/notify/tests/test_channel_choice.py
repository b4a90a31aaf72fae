"""Customers choose their channels (/account/messages/) and link Telegram through the bot's deep link; the worker
follows the choice. The Telegram fake pushes "/start <token>" to the running shop as Telegram would."""

import re

import httpx
import pytest
from django.contrib.auth import get_user_model

from steadfast.checkout.services import order_place
from steadfast.notify.models import ChannelPreference, OutboxMessage, TelegramLink
from steadfast.notify.tasks import outbox_sweep
from steadfast.notify.telegram_link import link_token
from steadfast.notify.tests.conftest import fresh
from steadfast.providers.models import Provider
from steadfast.providers.secrets import provider_secret_env
from steadfast.testing import wait_until

URL = "/account/messages/"
HOOK_SECRET = "tg-webhook-secret-0123456789"


@pytest.fixture
def ann(db):
    return get_user_model().objects.create_user("ann", "ann@example.com", "correct-horse-42")


@pytest.fixture
def bot(telegram_channel, telegram, monkeypatch):
    monkeypatch.setenv(provider_secret_env("telegram", "webhook_secret"), HOOK_SECRET)
    Provider.objects.filter(pk=telegram_channel.pk).update(
        config={**telegram_channel.config, "bot_username": "steadfast_demo_bot"})
    telegram.secret_token = HOOK_SECRET
    return telegram


def _confirmation(order):
    return OutboxMessage.objects.get(key=f"order_confirmation:{order.pk}")


@pytest.mark.django_db
def test_email_cannot_be_switched_off_without_another_channel(client, ann, channels):
    client.force_login(ann)
    nothing = client.post(URL, {"shipping": ["email"], "phone": ""})
    assert nothing.status_code == 400 and "keep e-mail" in nothing.content.decode()
    sms_without_phone = client.post(URL, {"orders": ["sms"], "shipping": ["email"], "phone": ""})
    assert sms_without_phone.status_code == 400 and "SMS needs a phone number" in sms_without_phone.content.decode()
    telegram_unlinked = client.post(URL, {"orders": ["telegram"], "shipping": ["email"]})
    assert telegram_unlinked.status_code == 400 and "link Telegram first" in telegram_unlinked.content.decode()
    assert not ChannelPreference.objects.exists()  # refused: nothing saved
    saved = client.post(URL, {"orders": ["sms"], "shipping": ["email", "sms"], "phone": "+48 600 100 300"})
    assert saved.status_code == 302
    assert ChannelPreference.objects.get(user=ann).choices == {"orders": ["sms"], "shipping": ["email", "sms"]}
    page = client.get(URL).content.decode()
    assert 'value="+48 600 100 300"' in page and page.count("checked") == 3


@pytest.mark.django_db
def test_an_order_message_goes_by_the_chosen_channel(client, ann, channels, smtp, smsru, make_variant, details):
    client.force_login(ann)
    client.post(URL, {"orders": ["sms"], "shipping": ["email"], "phone": "+48 600 100 300"})
    order, _ = order_place(lines=[(make_variant().pk, 1)], details=details, idempotency_key="pref-1", user=ann)
    assert outbox_sweep() >= 1
    assert [m["to"] for m in smsru.messages] == ["48600100200"]  # the order's phone, chosen channel SMS
    assert smtp.messages == [] and _confirmation(order).channel == "sms"


@pytest.mark.django_db
def test_email_is_the_last_resort_when_the_chosen_channel_refuses(client, ann, channels, smtp, smsru, make_variant,
                                                                  details):
    client.force_login(ann)
    client.post(URL, {"orders": ["sms"], "shipping": ["email"], "phone": "+48 600 100 300"})
    smsru.invalid.add("48600100200")
    order, _ = order_place(lines=[(make_variant().pk, 1)], details=details, idempotency_key="pref-2", user=ann)
    outbox_sweep()
    message = _confirmation(order)
    assert [f"{d.channel}:{d.outcome}" for d in message.deliveries.order_by("pk")] == ["sms:refused", "email:sent"]
    assert len(smtp.messages) == 1


@pytest.mark.django_db(transaction=True)
def test_telegram_deep_link_on_the_order_page_links_the_chat(live_server, shop_defaults, bot, channels, smtp,
                                                             make_variant, details):
    bot.webhook_url = f"{live_server.url}/notify/telegram/telegram/"
    order, _ = order_place(lines=[(make_variant().pk, 1)], details=details, idempotency_key="tg-1")
    page = httpx.get(f"{live_server.url}{order.get_absolute_url()}").text
    [token] = re.findall(r"https://t\.me/steadfast_demo_bot\?start=([A-Za-z0-9_]+)", page)
    assert token == link_token(order=order)

    bot.user_sends(4242, f"/start {token}x")  # a token that is not ours
    bot.user_sends(4243, f"/start {token}", secret_token="guessed")  # not from Telegram
    wait_until(lambda: len(bot.callbacks) == 2, describe="two forged updates answered")
    assert sorted(status for _what, status in bot.callbacks) == [200, 403] and not TelegramLink.objects.exists()

    bot.user_sends(4242, f"/start {token}")
    wait_until(lambda: TelegramLink.objects.filter(order=order).exists(), describe="the chat linked to the order")
    assert TelegramLink.objects.get(order=order).chat_id == "4242"
    outbox_sweep()
    assert [m["to"] for m in bot.messages] == ["4242"] and "SF-" in bot.messages[0]["text"]  # the bot answers once
    assert "Telegram is linked" in httpx.get(f"{live_server.url}{order.get_absolute_url()}").text

    smtp.set_fault("refuse")  # e-mail down: the shipping update reaches the linked chat (no phone on this row)
    message = OutboxMessage.objects.create(key="ship-1", kind="order_shipped", recipient=order.email, order=order,
                                           addresses={"email": order.email}, payload={"number": order.number,
                                                                                      "language": "en"})
    for _ in range(3):
        outbox_sweep()
        OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=message.created_at)
    assert fresh(message).channel == "telegram" and fresh(message).status == "sent"
    assert [m["to"] for m in bot.messages] == ["4242", "4242"]


@pytest.mark.django_db(transaction=True)
def test_account_telegram_link_and_a_telegram_only_choice(live_server, shop_defaults, bot, channels, smtp, client,
                                                          make_variant, details):
    ann = get_user_model().objects.create_user("ann", "ann@example.com", "correct-horse-42")
    bot.webhook_url = f"{live_server.url}/notify/telegram/telegram/"
    client.force_login(ann)
    page = client.get(URL).content.decode()
    assert f"https://t.me/steadfast_demo_bot?start={link_token(user=ann)}" in page
    bot.user_sends(777, f"/start {link_token(user=ann)}")
    wait_until(lambda: TelegramLink.objects.filter(user=ann).exists(), describe="the chat linked to the account")
    assert client.post(URL, {"orders": ["telegram"], "shipping": ["telegram"]}).status_code == 302
    order, _ = order_place(lines=[(make_variant().pk, 1)], details=details, idempotency_key="tg-2", user=ann)
    outbox_sweep()
    assert _confirmation(order).channel == "telegram" and smtp.messages == []
    assert [m["to"] for m in bot.messages].count("777") == 2  # "linked" and the confirmation
