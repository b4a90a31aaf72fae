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
