"""Staff keep the rota in the admin; the watcher pulls it with the lifeboat token; the coverage view shows gaps."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from steadfast.oncall.models import OnCallOverride, OnCallPerson, OnCallShift
from steadfast.oncall.rota import rota_document
from watch.rota import gaps

pytestmark = pytest.mark.django_db
TOKEN = "t" * 32


@pytest.fixture
def rota(settings):
    settings.LIFEBOAT_TOKEN = TOKEN
    ann = OnCallPerson.objects.create(name="Ann", phone="+48600100201", email="ann@example.com", position=1)
    bob = OnCallPerson.objects.create(name="Bob", telegram_chat_id="202", position=2)
    OnCallShift.objects.create(person=ann, weekdays="01234", starts=time(8), ends=time(20))
    OnCallShift.objects.create(person=bob, weekdays="0123456", starts=time(20), ends=time(8))
    OnCallOverride.objects.create(person=bob, starts_at=timezone.now() - timedelta(hours=1),
                                  ends_at=timezone.now() + timedelta(hours=1), note="swap")
    return ann, bob


def test_watcher_pulls_the_rota_with_the_token_only(client, rota):
    assert client.get("/api/v1/lifeboat/oncall").status_code == 401
    document = client.get("/api/v1/lifeboat/oncall", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").json()
    assert [p["name"] for p in document["people"]] == ["Ann", "Bob"]
    assert document["people"][0]["phone"] == "+48600100201"
    assert {(s["weekdays"], s["starts"], s["ends"]) for s in document["shifts"]} == {
        ("01234", "08:00", "20:00"), ("0123456", "20:00", "08:00")}
    assert len(document["overrides"]) == 1 and document["time_zone"]


def test_coverage_view_names_who_is_paged_and_the_weekend_gap(admin_client, rota):
    html = admin_client.get(reverse("admin:oncall_oncallperson_changelist")).content.decode()
    now_line = html[html.index('id="sf-oncall-now"'):html.index("</p>", html.index('id="sf-oncall-now"'))]
    assert now_line.index("Bob") < now_line.index("Ann")  # the override puts Bob first
    assert 'id="sf-oncall-gaps"' in html  # weekend days 08-20 are nobody's


def test_a_person_needs_a_way_to_be_reached(admin_client):
    answer = admin_client.post(reverse("admin:oncall_oncallperson_add"), {
        "name": "Nobody", "position": 0, "is_active": "on",
        "shifts-TOTAL_FORMS": 0, "shifts-INITIAL_FORMS": 0, "overrides-TOTAL_FORMS": 0, "overrides-INITIAL_FORMS": 0})
    assert answer.status_code == 200 and "at least one way to reach" in answer.content.decode()
    assert not OnCallPerson.objects.exists()


def test_time_zone_is_validated_and_exported(admin_client, settings, rota):
    ann, _bob = rota
    assert ann.time_zone == settings.TIME_ZONE  # the shop's zone unless staff say otherwise
    form = {"name": "Cy", "telegram_chat_id": "303", "position": 3, "is_active": "on", "time_zone": "Mars/Olympus",
            "shifts-TOTAL_FORMS": 0, "shifts-INITIAL_FORMS": 0, "overrides-TOTAL_FORMS": 0,
            "overrides-INITIAL_FORMS": 0}
    answer = admin_client.post(reverse("admin:oncall_oncallperson_add"), form)
    assert answer.status_code == 200 and "is not a time zone name" in answer.content.decode()
    admin_client.post(reverse("admin:oncall_oncallperson_add"), {**form, "time_zone": "America/New_York"})
    assert OnCallPerson.objects.get(name="Cy").time_zone == "America/New_York"
    people = rota_document()["people"]
    assert [p["time_zone"] for p in people] == [settings.TIME_ZONE, settings.TIME_ZONE, "America/New_York"]


def test_coverage_gaps_with_people_in_different_time_zones(admin_client, settings):
    settings.TIME_ZONE = "Europe/Warsaw"
    day = OnCallPerson.objects.create(name="Day", email="day@example.com", time_zone="Europe/Warsaw")
    night = OnCallPerson.objects.create(name="Night", email="night@example.com", time_zone="America/New_York")
    OnCallShift.objects.create(person=day, weekdays="0123456", starts=time(8), ends=time(20))
    # 14:00-02:00 in New York is 20:00-08:00 in Warsaw: together they cover 24x7 (both zones change clocks on
    # different dates, so a week in March or October may show an hour's gap: that is real and shown).
    OnCallShift.objects.create(person=night, weekdays="0123456", starts=time(14), ends=time(2))
    winter_monday = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)
    assert gaps(rota_document(), winter_monday) == []
    with timezone.override("Europe/Warsaw"):
        html = admin_client.get(reverse("admin:oncall_oncallperson_changelist")).content.decode()
    now = timezone.now()
    same_offset = all(ZoneInfo("America/New_York").utcoffset(datetime(now.year, now.month, now.day) + timedelta(d))
                      - ZoneInfo("Europe/Warsaw").utcoffset(datetime(now.year, now.month, now.day) + timedelta(d))
                      == timedelta(hours=-6) for d in range(9))
    if same_offset:
        assert 'id="sf-oncall-gaps-none"' in html, html[html.find("sf-oncall-coverage"):][:800]
    else:
        assert 'id="sf-oncall-gaps"' in html
    # Read in the shop's zone (the night shift as 14:00-02:00 Warsaw), 02:00-08:00 would be a gap every day.
    night.time_zone = "Europe/Warsaw"
    night.save()
    html = admin_client.get(reverse("admin:oncall_oncallperson_changelist")).content.decode()
    assert 'id="sf-oncall-gaps"' in html and "02:00" in html
