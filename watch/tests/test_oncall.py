"""On-call paging over real HTTP: the rota pulled from the shop (a fake here; the shop's endpoint has its own test),
the person on call paged first by Telegram, SMS and e-mail (fakes), escalation to the next after escalate_minutes
without an acknowledgement, then everyone; the acknowledge link stops it."""

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from steadfast.fakes.messaging import FakeSmsRu
from steadfast.fakes.smtp import FakeSMTP
from watch.config import load
from watch.rota import gaps, on_call, quiet
from watch.runner import Watcher
from watch.tests.fake_shop import FakeShop
from watch.tests.fake_telegram import FakeTelegram
from watch.web import serve

ROTA = {
    "time_zone": "Europe/Warsaw",
    "people": [{"id": 1, "name": "Ann", "phone": "+48600100201", "telegram_chat_id": "101", "email": "ann@example.com"},
               {"id": 2, "name": "Bob", "phone": "+48600100202", "telegram_chat_id": "", "email": "bob@example.com"},
               {"id": 3, "name": "Cy", "phone": "", "telegram_chat_id": "103", "email": ""}],
    # Bob weekdays 08-20, Cy nights 20-08 every day, Ann on weekends by day.
    "shifts": [{"person": 2, "weekdays": "01234", "starts": "08:00", "ends": "20:00"},
               {"person": 3, "weekdays": "0123456", "starts": "20:00", "ends": "08:00"},
               {"person": 1, "weekdays": "56", "starts": "08:00", "ends": "20:00"}],
    "overrides": [],
}


def test_who_is_on_call_follows_shifts_overnight_overrides_and_time_zone():
    monday_noon = datetime(2026, 11, 30, 11, 0, tzinfo=UTC)  # 12:00 in Warsaw
    assert [p["name"] for p in on_call(ROTA, monday_noon)] == ["Bob", "Ann", "Cy"]
    tuesday_3am = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # Monday's night shift, after midnight
    assert [p["name"] for p in on_call(ROTA, tuesday_3am)] == ["Cy", "Ann", "Bob"]
    rota = {**ROTA, "overrides": [{"person": 1, "starts_at": "2026-11-30T10:00:00+00:00",
                                   "ends_at": "2026-11-30T12:00:00+00:00"}]}
    assert [p["name"] for p in on_call(rota, monday_noon)][:2] == ["Ann", "Bob"]
    assert gaps(ROTA, monday_noon) == []
    weekdays_only = {**ROTA, "shifts": ROTA["shifts"][:1]}
    found = gaps(weekdays_only, datetime(2026, 11, 30, 7, 0, tzinfo=UTC), days=1)  # Monday 08:00 Warsaw
    assert found == [(datetime(2026, 11, 30, 19, 0, tzinfo=UTC), datetime(2026, 12, 1, 7, 0, tzinfo=UTC))]


def test_each_person_s_shifts_and_quiet_hours_are_read_in_their_own_time_zone():
    # Cy covers the Warsaw night from New York: 14:00-02:00 on his clock is 20:00-08:00 in Warsaw (winter).
    people = [{**p, "time_zone": "America/New_York"} if p["id"] == 3 else p for p in ROTA["people"]]
    rota = {**ROTA, "people": people,
            "shifts": [ROTA["shifts"][0], {"person": 3, "weekdays": "0123456", "starts": "14:00", "ends": "02:00"}]}
    tuesday_3am_warsaw = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # Monday 21:00 in New York
    assert [p["name"] for p in on_call(rota, tuesday_3am_warsaw)][0] == "Cy"
    # Read in the document's zone instead (the old format), the same shift would leave 02:00-14:00 Warsaw open.
    assert on_call({**rota, "people": ROTA["people"]}, tuesday_3am_warsaw)[0]["name"] == "Ann"
    monday_8am = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
    assert gaps(rota, monday_8am, days=1) == []  # Bob by day, Cy by night, however their clocks read
    # Quiet hours 22:00-07:00 on Cy's clock: 3 a.m. in Warsaw is 21:00 for him, not quiet; 10 a.m. Warsaw is.
    cy = {**people[2], "quiet": ["22:00", "07:00"]}
    assert not quiet(rota, cy, tuesday_3am_warsaw)
    assert quiet(rota, cy, datetime(2026, 12, 1, 9, 0, tzinfo=UTC))


@pytest.fixture
def world(tmp_path):
    shop, telegram, sms, smtp = FakeShop(), FakeTelegram(), FakeSmsRu().start(), FakeSMTP().start()
    shop.documents["/api/v1/lifeboat"] = {"shop": {"name": "Shop"}, "products": [], "delivery_methods": []}
    shop.documents["/api/v1/lifeboat/oncall"] = ROTA
    config = load(None, {
        "WATCH_SHOP_URL": shop.url, "WATCH_DATA_DIR": str(tmp_path), "WATCH_SHOP_TOKEN": "t" * 32,
        "WATCH_DOWN_AFTER": "1", "WATCH_UP_AFTER": "1", "WATCH_LISTEN": "127.0.0.1:0", "WATCH_ESCALATE_MINUTES": "5",
        "WATCH_TELEGRAM_API": telegram.url, "WATCH_TELEGRAM_TOKEN": telegram.token, "WATCH_TELEGRAM_CHAT_ID": "-1",
        "WATCH_SMS_GATEWAY": "smsru", "WATCH_SMS_API": sms.url, "WATCH_SMS_LOGIN": sms.api_id,
        "WATCH_SMTP_HOST": "127.0.0.1", "WATCH_SMTP_PORT": str(smtp.port), "WATCH_SMTP_STARTTLS": "no",
        "WATCH_SMTP_FROM": "watch@help.example"})
    watcher = Watcher(config)
    server = serve(watcher)
    import threading

    threading.Thread(target=server.serve_forever, daemon=True).start()
    watcher.web_url = f"http://127.0.0.1:{server.server_address[1]}"
    yield watcher, shop, telegram, sms, smtp
    server.shutdown()
    server.server_close()
    for fake in (shop, telegram):
        fake.close()
    sms.stop()
    smtp.stop()


def test_down_pages_the_person_on_call_escalates_and_stops_on_acknowledge(world):
    watcher, shop, telegram, sms, smtp = world
    watcher.tick()  # up: the rota is pulled and cached
    assert watcher.oncall.rota()["people"][0]["name"] == "Ann"
    shop.documents.pop("/healthz")  # 404: down
    del shop.documents["/api/v1/lifeboat/oncall"]  # and the shop can no longer tell us the rota: the copy serves
    opened = datetime.now(UTC)
    watcher.tick()
    page = watcher.oncall.open_pages()[0]
    first = page["order"][0]
    assert page["order"] == [p["name"] for p in on_call(ROTA, opened)]
    person = next(p for p in ROTA["people"] if p["name"] == first)
    chats = [m["chat_id"] for m in telegram.messages]
    assert chats.count("-1") == 1  # the group, once
    if person["telegram_chat_id"]:
        assert person["telegram_chat_id"] in chats
    if person["phone"]:
        assert [m["to"] for m in sms.messages] == [person["phone"].lstrip("+")]
    if person["email"]:
        assert [m["to"] for m in smtp.messages] == [person["email"]]

    watcher.oncall.escalate(opened + timedelta(minutes=4))  # not yet
    assert len(page["history"]) == 1
    watcher.oncall.escalate(opened + timedelta(minutes=6))
    watcher.alerts.flush()
    assert [h["paged"] for h in page["history"]] == page["order"][:2]
    assert "escalated to" in telegram.texts()[-1] or "escalated to" in smtp.messages[-1]["subject"] + \
        smtp.messages[-1]["text"] or any("escalated" in m["text"] for m in sms.messages)

    # The second person acknowledges from the link in the message: a bad key is refused, a GET only asks.
    link = watcher.oncall.ack_url(page["id"], "1").split("/watch/", 1)[1]
    with httpx.Client(base_url=watcher.web_url, trust_env=False, timeout=5) as browser:
        assert browser.post(f"/watch/{link[:-4]}beef").status_code == 404
        assert "I am on it" in browser.get(f"/watch/{link}").text and not page["acked_at"]
        answer = browser.post(f"/watch/{link}")
    assert answer.status_code == 200 and f"{page['order'][1]} is on it" in answer.text
    watcher.alerts.flush()
    assert telegram.texts()[-1].startswith(f"👍 {page['order'][1]} is on it")
    watcher.oncall.escalate(opened + timedelta(minutes=30))
    assert len(page["history"]) == 2  # acknowledged: nobody else paged

    shop.documents["/healthz"] = {"ok": True}
    watcher.tick()
    assert watcher.oncall.open_pages(include_acked=True) == []


def test_nobody_acknowledges_everyone_is_paged_once(world):
    watcher, shop, telegram, sms, smtp = world
    watcher.tick()
    shop.documents.pop("/healthz")
    watcher.tick()
    page = watcher.oncall.open_pages()[0]
    start = datetime.fromisoformat(page["opened_at"])
    for minutes in (6, 12, 18, 24, 30):
        watcher.oncall.escalate(start + timedelta(minutes=minutes))
    assert [h["paged"] for h in page["history"]] == page["order"] + ["everyone"]
    watcher.alerts.flush()
    assert {m["to"] for m in smtp.messages} == {"ann@example.com", "bob@example.com"}


def test_degraded_skips_people_in_quiet_hours_down_does_not(world):
    watcher, shop, telegram, sms, smtp = world
    now = datetime.now(UTC)
    first = on_call(ROTA, now)[0]
    local = now.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Warsaw"))
    window = [(local - timedelta(hours=1)).strftime("%H:%M"), (local + timedelta(hours=1)).strftime("%H:%M")]
    rota = {**ROTA, "people": [{**p, "quiet": window} if p["id"] == first["id"] else p for p in ROTA["people"]]}
    shop.documents["/api/v1/lifeboat/oncall"] = rota
    watcher.tick()
    degraded = watcher.oncall.page_open("degraded", "🟠 Shop DEGRADED")
    assert first["name"] not in degraded["order"] and len(degraded["order"]) == 2
    down = watcher.oncall.page_open("down", "🔴 Shop DOWN")
    assert down["order"][0] == first["name"]


def test_a_reply_in_telegram_acknowledges_the_page_and_is_answered(world):
    watcher, shop, telegram, sms, smtp = world
    now = datetime.now(UTC)  # Ann (chat 101) covers now, so she is paged first whatever the weekday
    shop.documents["/api/v1/lifeboat/oncall"] = {**ROTA, "overrides": [
        {"person": 1, "starts_at": (now - timedelta(hours=1)).isoformat(),
         "ends_at": (now + timedelta(hours=1)).isoformat()}]}
    watcher.tick()
    shop.documents.pop("/healthz")
    watcher.tick()
    page = watcher.oncall.open_pages()[0]
    assert page["order"][0] == "Ann" and f"/ack {page['id']}" in telegram.texts()[-1]
    # A chat nobody paged, Ann's "ack" written before the page opened, and Cy (not paged yet) acknowledge nothing.
    telegram.user_sends("999", f"/ack {page['id']}")
    telegram.user_sends("101", "ack", date=datetime.fromisoformat(page["opened_at"]).timestamp() - 60)
    telegram.user_sends("103", "ack")
    telegram.user_sends("101", "hello")  # not a command: read, not answered
    watcher.tick()
    assert not page["acked_at"] and watcher.telegram_acks.offset == 1004
    refused = [m["chat_id"] for m in telegram.messages if m["text"].startswith("Nothing to acknowledge")]
    assert sorted(refused) == ["101", "103", "999"]
    # Ann replies: acknowledged, answered, the group told, no escalation.
    telegram.user_sends("101", f"/ACK {page['id']}")
    watcher.tick()
    assert page["acked_by"] == "Ann" and page["acked_at"]
    assert [m["text"][:16] for m in telegram.messages if m["chat_id"] == "101"][-1] == "👍 Acknowledged ("
    assert telegram.texts().count(f"👍 Ann is on it: {page['text']}") == 1
    watcher.oncall.escalate(now + timedelta(minutes=60))
    assert len(page["history"]) == 1
    # A restarted watcher does not read the same replies again; the fake forgot them at the next poll.
    watcher.tick()
    assert Watcher(watcher.config).telegram_acks.offset == 1005 and telegram.updates == []
