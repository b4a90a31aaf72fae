"""The public posts' queue survives a restart (watcher objects, real HTTP to a fake Bot API and a fake webhook
receiver): a "back" post the outlets refused is made once by the next watcher on the same data_dir, a "down" post
never made before the shop came back is dropped, not posted late, and the queue file holds no secret."""

import json
from dataclasses import replace
from datetime import UTC, datetime

from watch.config import load
from watch.runner import Watcher
from watch.store import write_atomic
from watch.tests.fake_hook import FakeHook
from watch.tests.fake_shop import FakeShop
from watch.tests.fake_telegram import FakeTelegram

SECRET = "announce-secret-" + "k" * 24
FOREVER = 10**6
BACK = "Shop: our website is back. Thank you for your patience!"


class Outlets:
    """The shop, a public Telegram channel and the announcement webhook, all on 127.0.0.1."""

    def __init__(self, data_dir):
        self.shop, self.telegram, self.hook = FakeShop(), FakeTelegram(), FakeHook()
        self.queue_path = data_dir / "announce-queue.json"
        self.config = load(None, {
            "WATCH_SHOP_URL": self.shop.url, "WATCH_DATA_DIR": str(data_dir), "WATCH_DOWN_AFTER": "1",
            "WATCH_UP_AFTER": "1", "WATCH_TIMEOUT_SECONDS": "5", "WATCH_TELEGRAM_API": self.telegram.url,
            "WATCH_TELEGRAM_TOKEN": self.telegram.token, "WATCH_ANNOUNCE_TELEGRAM_CHAT_ID": "@shopnews",
            "WATCH_ANNOUNCE_WEBHOOK_URL": self.hook.url + "/announce", "WATCH_ANNOUNCE_WEBHOOK_SECRET": SECRET,
            "WATCH_SHOP_NAME": "Shop"})
        self.healthz = self.shop.documents["/healthz"]

    def shop_dies(self):
        self.shop.documents.pop("/healthz")

    def shop_recovers(self):
        self.shop.documents["/healthz"] = self.healthz

    def outlets_fail(self, failing: bool):
        self.telegram.fail_next(FOREVER if failing else 0)
        self.hook.failing = failing

    def posts(self) -> list[tuple[str, str]]:
        """What customers saw: (outlet, event) in the order each outlet took them."""
        return [("telegram", "outage" if "down" in text else "recovery") for text in self.telegram.texts()] + [
            ("webhook", body["event"]) for body in self.hook.bodies("/announce")]

    def queued(self) -> list[dict]:
        return json.loads(self.queue_path.read_text())

    def close(self):
        for server in (self.shop, self.telegram, self.hook):
            server.close()


def test_a_back_post_the_outlets_refused_is_made_once_by_the_watcher_started_after_a_restart(tmp_path):
    outlets = Outlets(tmp_path)
    try:
        first = Watcher(outlets.config)
        first.tick()
        outlets.shop_dies()
        first.tick()
        assert outlets.posts() == [("telegram", "outage"), ("webhook", "outage")]
        outlets.outlets_fail(True)  # Telegram overloaded and the Zapier hook down while the shop comes back
        outlets.shop_recovers()
        first.tick()
        assert first.state == "up" and outlets.telegram.refused >= 1 and outlets.hook.refused >= 1
        assert [(item["kind"], item["outlet"]) for item in outlets.queued()] == [("back", "telegram"),
                                                                                 ("back", "webhook")]
        on_disk = outlets.queue_path.read_text()
        for secret in (outlets.telegram.token, SECRET, outlets.config.announce_webhook_url, "/announce"):
            assert secret not in on_disk
        first.client.close()  # the watcher process ends (restart, reboot): nothing in memory survives

        second = Watcher(outlets.config)
        assert [item["kind"] for item in second.announcer.pending] == ["back", "back"]
        second.tick()  # the outlets still refuse: kept, nothing queued twice
        assert len(outlets.queued()) == 2 and len(outlets.posts()) == 2
        outlets.outlets_fail(False)
        second.tick()
        second.tick()
        assert outlets.posts() == [("telegram", "outage"), ("telegram", "recovery"), ("webhook", "outage"),
                                   ("webhook", "recovery")]
        assert outlets.telegram.texts()[1] == BACK and outlets.queued() == []
        second.client.close()

        third = Watcher(outlets.config)  # and the one after that owes nothing
        third.tick()
        assert third.announcer.pending == [] and len(outlets.posts()) == 4
        third.client.close()
    finally:
        outlets.close()


def test_a_down_post_never_made_before_the_shop_came_back_is_dropped_and_only_back_is_posted(tmp_path):
    outlets = Outlets(tmp_path)
    try:
        watcher = Watcher(outlets.config)
        watcher.tick()
        outlets.outlets_fail(True)
        outlets.shop_dies()
        watcher.tick()
        assert [item["kind"] for item in outlets.queued()] == ["down", "down"]
        outlets.shop_recovers()
        watcher.tick()
        assert [item["kind"] for item in outlets.queued()] == ["back", "back"]
        watcher.client.close()
        watcher = Watcher(outlets.config)
        outlets.outlets_fail(False)
        watcher.tick()
        assert outlets.posts() == [("telegram", "recovery"), ("webhook", "recovery")]
        watcher.client.close()
    finally:
        outlets.close()


def test_a_watcher_that_died_after_seeing_the_shop_back_posts_back_not_the_stale_down(tmp_path):
    outlets = Outlets(tmp_path)
    try:
        watcher = Watcher(outlets.config)
        watcher.tick()
        outlets.outlets_fail(True)
        outlets.shop_dies()
        watcher.tick()
        outage = watcher.since
        watcher.client.close()
        # It died between writing "up" to state.json and queueing the "back" post: only the "down" is queued.
        write_atomic(watcher.state_path, json.dumps({"state": "up", "since": datetime.now(UTC).isoformat()}).encode())
        outlets.shop_recovers()
        outlets.outlets_fail(False)
        watcher = Watcher(outlets.config)
        watcher.tick()
        assert outlets.posts() == [("telegram", "recovery"), ("webhook", "recovery")]
        assert outlets.hook.bodies("/announce")[0]["outage_id"] == outage and outlets.queued() == []
        watcher.client.close()
    finally:
        outlets.close()


def test_a_post_recorded_as_made_but_still_in_the_queue_file_is_not_made_again(tmp_path):
    outlets = Outlets(tmp_path)
    try:
        watcher = Watcher(outlets.config)
        watcher.tick()
        outlets.outlets_fail(True)
        outlets.shop_dies()
        watcher.tick()
        before = outlets.queue_path.read_bytes()
        outlets.outlets_fail(False)
        watcher.tick()
        assert len(outlets.posts()) == 2 and outlets.queued() == []
        watcher.client.close()
        # It died after announced.jsonl had the posts and before the queue file lost them.
        write_atomic(outlets.queue_path, before)
        watcher = Watcher(outlets.config)
        watcher.tick()
        assert outlets.posts() == [("telegram", "outage"), ("webhook", "outage")] and outlets.queued() == []
        watcher.client.close()
    finally:
        outlets.close()


def test_a_queued_post_for_an_outlet_removed_from_the_config_is_dropped_at_start(tmp_path):
    outlets = Outlets(tmp_path)
    try:
        watcher = Watcher(outlets.config)
        outlets.outlets_fail(True)
        outlets.shop_dies()
        watcher.tick()
        watcher.client.close()
        outlets.outlets_fail(False)
        watcher = Watcher(replace(outlets.config, announce_webhook_url=""))  # the shop stopped using Zapier
        assert [item["outlet"] for item in watcher.announcer.pending] == ["telegram"]
        watcher.tick()
        assert outlets.posts() == [("telegram", "outage")] and outlets.queued() == []
        watcher.client.close()
    finally:
        outlets.close()
