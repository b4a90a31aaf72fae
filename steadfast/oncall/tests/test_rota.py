"""Staff keep the rota in the admin; the watcher pulls it with the lifeboat token; the coverage view shows gaps."""

from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from steadfast.oncall.models import OnCallOverride, OnCallPerson, OnCallShift

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
