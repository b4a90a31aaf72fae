"""Outage and recovery posts for customers over real HTTP: a public Telegram channel on the fake Bot API and a
signed webhook (what Zapier/Make/Buffer receive), one "down" and one "back" per outage whatever the retries,
restarts and rounds."""

import hmac
import json

import pytest

from watch.announce import signature
from watch.config import ConfigError, load
from watch.runner import Watcher
from watch.tests.fake_shop import FakeShop
from watch.tests.fake_telegram import FakeTelegram

SECRET = "s" * 32


def test_one_down_and_one_back_post_per_outage_on_the_channel_and_the_signed_webhook(tmp_path):
    shop, telegram = FakeShop(), FakeTelegram()
    try:
        config = load(None, {
            "WATCH_SHOP_URL": shop.url, "WATCH_DATA_DIR": str(tmp_path), "WATCH_DOWN_AFTER": "1",
            "WATCH_UP_AFTER": "1", "WATCH_TELEGRAM_API": telegram.url, "WATCH_TELEGRAM_TOKEN": telegram.token,
            "WATCH_ANNOUNCE_TELEGRAM_CHAT_ID": "@shopnews", "WATCH_ANNOUNCE_WEBHOOK_URL": telegram.url + "/webhook",
            "WATCH_ANNOUNCE_WEBHOOK_SECRET": SECRET, "WATCH_LANGUAGE": "pl", "WATCH_SHOP_NAME": "Sklep",
            "WATCH_SHOP_PHONE": "+48 22 100 20 30", "WATCH_PUBLIC_URL": "https://help.shop.example"})
        watcher = Watcher(config)
        watcher.tick()
        assert telegram.messages == [] and telegram.webhooks == []  # up: nothing to tell
        healthz = shop.documents.pop("/healthz")
        telegram.fail_next(1)  # the channel post is refused once: retried at the end of the round, posted once
        watcher.tick()
        outage = watcher.since
        assert telegram.refused == 1 and len(telegram.messages) == 1 and len(telegram.webhooks) == 1
        for _ in range(3):
            watcher.tick()
        Watcher(config).tick()  # a restart during the outage posts nothing again
        assert [m["chat_id"] for m in telegram.messages] == ["@shopnews"]
        down = telegram.messages[0]["text"]
        assert down.startswith("Sklep: nasza strona jest chwilowo niedostępna") and "+48 22 100 20 30" in down
        assert "https://help.shop.example" in down
        shop.documents["/healthz"] = healthz
        watcher = Watcher(config)
        for _ in range(3):
            watcher.tick()
        assert [m["text"] for m in telegram.messages][1:] == [
            "Sklep: nasza strona znowu działa. Dziękujemy za cierpliwość!"]
        assert [(w["event"], w["outage_id"]) for w in telegram.webhooks] == [("outage", outage), ("recovery", outage)]
        for (headers, raw), event in zip(telegram.webhook_requests, ("outage", "recovery"), strict=True):
            expected = signature(SECRET, headers["X-Steadfast-Timestamp"], raw)
            assert hmac.compare_digest(headers["X-Steadfast-Signature"], expected)
            assert headers["X-Steadfast-Delivery"] == f"{json.loads(raw)['outage_id']}:{event}"
            assert signature("wrong" * 6, headers["X-Steadfast-Timestamp"], raw) != expected
        # The next outage is a new one: posted again.
        shop.documents.pop("/healthz")
        watcher.tick()
        assert len(telegram.messages) == 3 and telegram.webhooks[-1]["outage_id"] != telegram.webhooks[0]["outage_id"]
    finally:
        shop.close()
        telegram.close()


def test_a_webhook_without_a_long_secret_or_a_channel_without_a_bot_stops_start_up(tmp_path):
    base = {"WATCH_SHOP_URL": "http://127.0.0.1:9", "WATCH_DATA_DIR": str(tmp_path)}
    with pytest.raises(ConfigError, match="WATCH_ANNOUNCE_WEBHOOK_SECRET"):
        load(None, {**base, "WATCH_ANNOUNCE_WEBHOOK_URL": "https://hooks.zapier.com/x",
                    "WATCH_ANNOUNCE_WEBHOOK_SECRET": "short"})
    with pytest.raises(ConfigError, match="WATCH_TELEGRAM_TOKEN"):
        load(None, {**base, "WATCH_ANNOUNCE_TELEGRAM_CHAT_ID": "@shopnews"})
