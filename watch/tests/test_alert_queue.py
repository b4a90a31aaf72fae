"""The alert queue survives a restart: an alert a down channel refused is still sent, exactly once, by the next
watcher started on the same data_dir once the channel answers again (watcher objects, real HTTP to the fakes)."""

import json

import httpx

from watch.alerts import Alerts
from watch.config import load
from watch.runner import Watcher
from watch.tests.fake_hook import FakeHook
from watch.tests.fake_shop import FakeShop


def test_an_alert_a_down_channel_refused_survives_a_watcher_restart_and_is_sent_once(tmp_path):
    shop, hook = FakeShop(), FakeHook()
    try:
        config = load(None, {"WATCH_SHOP_URL": shop.url, "WATCH_DATA_DIR": str(tmp_path), "WATCH_DOWN_AFTER": "1",
                             "WATCH_UP_AFTER": "1", "WATCH_TIMEOUT_SECONDS": "5",
                             "WATCH_WEBHOOK_URL": hook.url + "/webhook",
                             "WATCH_APPRISE_URLS": f"json://127.0.0.1:{hook.port}/apprise"})
        first = Watcher(config)
        first.tick()
        hook.failing = True
        shop.documents.pop("/healthz")  # the shop dies while the alert channels are down too
        first.tick()
        assert first.state == "down" and hook.refused >= 2 and hook.received == []  # tried, refused
        queued = json.loads((tmp_path / "alerts-queue.json").read_text())
        assert sorted(item["channel"] for item in queued) == ["apprise", "webhook"]
        first.client.close()  # the watcher process ends here (restart, reboot): nothing in memory survives

        second = Watcher(config)
        assert len(second.alerts.pending) == 2
        second.tick()  # still down, channel still down: kept, no second "down" alert queued
        assert hook.received == [] and len(json.loads((tmp_path / "alerts-queue.json").read_text())) == 2
        hook.failing = False
        second.tick()
        second.tick()
        assert [body["event"] for body in hook.bodies("/webhook")] == ["down"]
        [apprise] = hook.bodies("/apprise")
        assert apprise["message"].startswith(f"🔴 Shop DOWN: {shop.url} — healthz: HTTP 404")
        assert json.loads((tmp_path / "alerts-queue.json").read_text()) == []
        second.client.close()

        third = Watcher(config)  # and the one after that has nothing left to send
        third.tick()
        assert third.alerts.pending == [] and len(hook.received) == 2
        third.client.close()
    finally:
        shop.close()
        hook.close()


def test_a_queued_alert_for_a_channel_no_longer_configured_is_dropped_at_start(tmp_path):
    hook = FakeHook()
    try:
        env = {"WATCH_SHOP_URL": "http://127.0.0.1:9", "WATCH_DATA_DIR": str(tmp_path),
               "WATCH_WEBHOOK_URL": hook.url + "/old", "WATCH_TIMEOUT_SECONDS": "5"}
        hook.failing = True
        with httpx.Client(timeout=5, trust_env=False) as client:
            Alerts(load(None, env), client).send("down", "Shop DOWN")
            moved = Alerts(load(None, {**env, "WATCH_WEBHOOK_URL": hook.url + "/new"}), client)
            assert moved.pending == []  # the old URL is not retried forever; the new one was never owed it
            hook.failing = False
            moved.flush()
        assert hook.received == []
    finally:
        hook.close()


def _alerts(tmp_path, **env):
    from watch.tests.fake_telegram import FakeTelegram

    telegram = FakeTelegram()
    config = load(None, {"WATCH_SHOP_URL": "http://127.0.0.1:9", "WATCH_DATA_DIR": str(tmp_path),
                         "WATCH_TELEGRAM_API": telegram.url, "WATCH_TELEGRAM_TOKEN": telegram.token,
                         "WATCH_TELEGRAM_CHAT_ID": "42", **env})
    return Alerts(config, httpx.Client(timeout=config.timeout_seconds)), telegram


def test_an_address_that_refuses_for_good_is_dropped_and_recorded_not_retried_every_round(tmp_path):
    alerts, telegram = _alerts(tmp_path)
    try:
        telegram.blocked.add("77")  # a person who blocked the bot
        alerts.send("down", "Shop DOWN", targets=[("telegram", "77"), ("telegram", "42")], who="Ann")
        alerts.flush()
        alerts.flush()

        assert telegram.refused == 1 and telegram.texts() == ["Shop DOWN"]  # tried once; the group got it
        assert alerts.pending == [] and json.loads((tmp_path / "alerts-queue.json").read_text()) == []
        ledger = [json.loads(line) for line in (tmp_path / "alerts.jsonl").read_text().splitlines()]
        assert sorted(r["outcome"] for r in ledger) == ["refused", "sent"]
    finally:
        alerts.client.close()
        telegram.close()


def test_a_hanging_channel_gets_a_budget_per_round_and_the_rest_wait_for_the_next(tmp_path):
    hook = FakeHook()
    alerts, telegram = _alerts(tmp_path, WATCH_WEBHOOK_URL=hook.url + "/webhook", WATCH_TIMEOUT_SECONDS="0.3")
    try:
        hook.hang.set()
        alerts.send("down", "one", deliver_now=False, targets=[("webhook", alerts.group[1][1])])
        alerts.send("down", "two", deliver_now=False, targets=[("webhook", alerts.group[1][1])])
        alerts.send("down", "three", deliver_now=False, targets=[("webhook", alerts.group[1][1])])
        alerts.flush()  # each send times out after 0.3 s; no send starts after 0.6 s: the third never starts

        ledger = [json.loads(line) for line in (tmp_path / "alerts.jsonl").read_text().splitlines()]
        assert set(r["outcome"] for r in ledger) == {"failed"} and 1 <= len(ledger) <= 2  # two, or one on a slow day
        assert len(alerts.pending) == 3
        hook.hang.clear()
        alerts.flush()
        assert [body["text"] for body in hook.bodies("/webhook")] == ["one", "two", "three"]
        assert alerts.pending == []
    finally:
        alerts.client.close()
        telegram.close()
        hook.close()


def test_an_alert_no_channel_took_for_a_day_is_dropped_and_recorded(tmp_path):
    from datetime import UTC, datetime, timedelta

    alerts, telegram = _alerts(tmp_path)
    try:
        telegram.fail_next(100)
        alerts.send("down", "Shop DOWN")
        assert len(alerts.pending) == 1
        stale = alerts.queue.items[0]
        stale["alert"]["at"] = (datetime.now(UTC) - timedelta(days=1, minutes=1)).isoformat()
        alerts.queue.drop(lambda item: True)
        alerts.queue.add([stale])  # as a watcher restarted a day later finds it

        alerts.flush()
        assert alerts.pending == []
        ledger = [json.loads(line) for line in (tmp_path / "alerts.jsonl").read_text().splitlines()]
        assert ledger[-1]["outcome"] == "expired"
    finally:
        alerts.client.close()
        telegram.close()
