"""The watcher reads the shop's last synthetic checkout from the status JSON and alerts when it failed."""

import pytest

from watch.checks import DEGRADED, UP, check_round
from watch.config import load
from watch.runner import Watcher
from watch.tests.fake_shop import ALL_WELL, FakeShop
from watch.tests.fake_telegram import FakeTelegram

FAILED = {**ALL_WELL, "synthetic_checkout": {"ok": False, "runs": 3, "checked_at": "2026-11-30T22:00:00+00:00",
                                             "failed": [{"payment": "stripe", "delivery": "courier",
                                                         "step": "gateway", "detail": "payment did not start"}]}}


@pytest.fixture
def shop():
    fake = FakeShop()
    yield fake
    fake.close()


def test_a_failed_test_purchase_makes_the_shop_degraded_and_staff_are_told(shop, tmp_path):
    telegram = FakeTelegram()
    try:
        config = load(None, {"WATCH_SHOP_URL": shop.url, "WATCH_DATA_DIR": str(tmp_path), "WATCH_DOWN_AFTER": "2",
                             "WATCH_TELEGRAM_API": telegram.url, "WATCH_TELEGRAM_TOKEN": telegram.token,
                             "WATCH_TELEGRAM_CHAT_ID": "42"})
        watcher = Watcher(config)
        assert check_round(watcher.client, shop.url, "/").state == UP
        shop.documents["/status/api/v2/summary.json"] = FAILED
        result = check_round(watcher.client, shop.url, "/")
        assert result.state == DEGRADED
        assert result.problems == ("test purchase stripe+courier failed at gateway: payment did not start",)
        watcher.tick()
        watcher.tick()
        assert telegram.texts() == [
            f"🟠 Shop DEGRADED: {shop.url} — test purchase stripe+courier failed at gateway: payment did not start."]
        shop.documents["/status/api/v2/summary.json"] = ALL_WELL
        watcher.tick()
        watcher.tick()
        assert telegram.texts()[-1] == f"✅ Shop fully UP again: {shop.url}."
    finally:
        telegram.close()
