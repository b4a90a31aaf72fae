"""The emergency page's note set at run time: `python -m watch eta` (a real process) or "/eta" to the bot from a
chat in the rota; the running lifeboat shows it (escaped, with the time it was set) on the next request, and the
watcher clears it when the shop is back."""

import os
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from watch.config import load
from watch.runner import Watcher
from watch.tests.fake_shop import FakeShop
from watch.tests.fake_telegram import FakeTelegram
from watch.web import serve

ROOT = Path(__file__).resolve().parents[2]
ROTA = {"time_zone": "UTC", "shifts": [], "overrides": [],
        "people": [{"id": 1, "name": "Ann", "phone": "", "telegram_chat_id": "101", "email": ""}]}


@pytest.fixture
def world(tmp_path):
    shop, telegram = FakeShop(), FakeTelegram()
    shop.documents["/api/v1/lifeboat"] = {"shop": {"name": "Corner Shop"}, "products": [], "delivery_methods": []}
    shop.documents["/api/v1/lifeboat/oncall"] = ROTA
    env = {"WATCH_SHOP_URL": shop.url, "WATCH_DATA_DIR": str(tmp_path), "WATCH_SHOP_TOKEN": "t" * 32,
           "WATCH_DOWN_AFTER": "1", "WATCH_UP_AFTER": "1", "WATCH_LISTEN": "127.0.0.1:0",
           "WATCH_OUTAGE_NOTE": "We are on it.", "WATCH_TELEGRAM_API": telegram.url,
           "WATCH_TELEGRAM_TOKEN": telegram.token, "WATCH_TELEGRAM_CHAT_ID": "-1"}
    watcher = Watcher(load(None, env))
    server = serve(watcher)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    browser = httpx.Client(base_url=f"http://127.0.0.1:{server.server_address[1]}", trust_env=False, timeout=5)
    yield watcher, shop, telegram, browser, env
    browser.close()
    server.shutdown()
    server.server_close()
    shop.close()
    telegram.close()


def eta_command(env, *args) -> str:
    done = subprocess.run([sys.executable, "-m", "watch", "eta", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**{k: v for k, v in os.environ.items() if not k.startswith("WATCH_")}, **env},
                          timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_eta_from_the_command_line_shows_on_the_running_lifeboat_and_goes_when_the_shop_is_back(world):
    watcher, shop, telegram, browser, env = world
    watcher.tick()
    shop.documents.pop("/healthz")
    watcher.tick()
    page = browser.get("/")
    assert page.status_code == 503 and "We are on it." in page.text  # the config's static note until staff speak

    said = eta_command(env, "Back by 14:00 — the host is <replacing> a disk")
    assert said.startswith("The emergency page now says: Back by 14:00 — the host is <replacing> a disk")
    page = browser.get("/")  # the same running watcher, no restart
    assert "Back by 14:00 — the host is &lt;replacing&gt; a disk" in page.text and "<replacing>" not in page.text
    assert "We are on it." not in page.text
    set_at = watcher.state_document()["eta"]["set_at"][:16].replace("T", " ")
    assert f"Updated {set_at} UTC." in page.text
    assert f"Zaktualizowano {set_at} UTC." in browser.get("/", params={"lang": "pl"}).text
    eta_command(env, "Back by 15:00: the disk is in, restoring the database")
    assert "Back by 15:00: the disk is in" in browser.get("/").text
    assert "Back by 15:00" in eta_command(env)  # no text: shows what is set, by whom

    shop.documents["/healthz"] = {"ok": True}
    watcher.tick()  # back up: the note goes with the outage
    assert watcher.state == "up" and watcher.state_document()["eta"] is None
    shop.documents.pop("/healthz")
    watcher.tick()  # the next outage starts without the old ETA
    page = browser.get("/")
    assert page.status_code == 503 and "Back by 15:00" not in page.text and "We are on it." in page.text
    eta_command(env, "Back in 10 minutes")
    assert "Back in 10 minutes" in browser.get("/").text
    assert eta_command(env, "--clear").strip() == "Cleared."
    assert "Back in 10 minutes" not in browser.get("/").text


def test_eta_by_telegram_only_from_the_rota_and_never_from_a_message_older_than_the_last_recovery(world):
    watcher, shop, telegram, browser, env = world
    watcher.tick()  # the rota is pulled
    shop.documents.pop("/healthz")
    watcher.tick()
    telegram.user_sends("999", "/eta Free beer")
    telegram.user_sends("101", "/eta Back by 14:00 <b>promise</b>")
    watcher.tick()
    replies = {m["chat_id"]: m["text"] for m in telegram.messages if m["chat_id"] in ("999", "101")}
    assert replies["999"] == "Only people in the on-call rota can set the emergency page's note."
    assert replies["101"] == "🕑 The emergency page now says: Back by 14:00 <b>promise</b>"
    assert "🕑 Ann set the emergency page's note: Back by 14:00 <b>promise</b>" in telegram.texts()  # the group
    page = browser.get("/").text
    assert "Back by 14:00 &lt;b&gt;promise&lt;/b&gt;" in page and "Free beer" not in page
    assert watcher.state_document()["eta"]["by"] == "Ann"

    shop.documents["/healthz"] = {"ok": True}
    watcher.tick()  # back: cleared
    written_before = datetime.now(UTC) - timedelta(minutes=5)  # sent while the watcher was not reading
    telegram.user_sends("101", "/eta Back by 09:00", date=written_before.timestamp())
    watcher.tick()
    assert watcher.state_document()["eta"] is None
    assert telegram.texts()[-1].startswith("Not set: your message was written before the shop was last back")
    telegram.user_sends("101", "/eta clear")
    watcher.tick()
    assert telegram.texts()[-1] == "Removed: the emergency page shows no note."
