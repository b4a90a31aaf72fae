"""Alerts over real HTTP to the fake Telegram and a webhook: delivered once, kept and retried while refused."""

import json

import httpx

from watch.alerts import Alerts
from watch.config import load
from watch.tests.fake_telegram import FakeTelegram


def test_an_alert_telegram_refuses_is_retried_until_taken_and_the_webhook_gets_it_once(tmp_path):
    telegram = FakeTelegram()
    try:
        config = load(None, {"WATCH_SHOP_URL": "http://127.0.0.1:9", "WATCH_DATA_DIR": str(tmp_path),
                             "WATCH_TELEGRAM_API": telegram.url, "WATCH_TELEGRAM_TOKEN": telegram.token,
                             "WATCH_TELEGRAM_CHAT_ID": "42", "WATCH_WEBHOOK_URL": telegram.url + "/webhook"})
        with httpx.Client(timeout=5) as client:
            alerts = Alerts(config, client)
            telegram.fail_next(2)
            alerts.send("down", "Shop DOWN")
            assert telegram.texts() == [] and len(telegram.webhooks) == 0  # the 502s hit telegram, then webhook
            alerts.flush()
            alerts.flush()
            alerts.flush()
        assert telegram.texts() == ["Shop DOWN"] and telegram.messages[0]["chat_id"] == "42"
        assert [w["event"] for w in telegram.webhooks] == ["down"] and telegram.refused == 2
        ledger = [json.loads(line) for line in (tmp_path / "alerts.jsonl").read_text().splitlines()]
        assert [(r["channel"], r["outcome"]) for r in ledger if r["channel"] == "telegram"] == [
            ("telegram", "failed"), ("telegram", "sent")]
        assert telegram.token not in (tmp_path / "alerts.jsonl").read_text()
    finally:
        telegram.close()
