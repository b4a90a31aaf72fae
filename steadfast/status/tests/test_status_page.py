import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from steadfast.providers.models import HealthEvent
from steadfast.status.components import uptime_days
from steadfast.status.incidents import incident_open, incident_update
from steadfast.status.models import Impact, IncidentStatus

pytestmark = pytest.mark.django_db

INDICATORS = {"none", "minor", "major", "critical", "maintenance"}
COMPONENT_STATUSES = {"operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"}
INCIDENT_STATUSES = {"investigating", "identified", "monitoring", "resolved", "postmortem"}
IMPACTS = {"none", "minor", "major", "critical"}


def _validate_summary(data):
    assert set(data) >= {"page", "status", "components", "incidents"}
    assert set(data["page"]) >= {"id", "name", "url", "updated_at"}
    assert data["status"]["indicator"] in INDICATORS and data["status"]["description"]
    for component in data["components"]:
        assert set(component) >= {"id", "name", "status", "updated_at"}
        assert component["status"] in COMPONENT_STATUSES
        datetime.fromisoformat(component["updated_at"])
    for incident in data["incidents"]:
        assert set(incident) >= {"id", "name", "status", "impact", "created_at", "updated_at", "incident_updates"}
        assert incident["status"] in INCIDENT_STATUSES and incident["impact"] in IMPACTS
        for update in incident["incident_updates"]:
            assert set(update) >= {"id", "status", "body", "created_at"} and update["status"] in INCIDENT_STATUSES


def test_summary_lists_components_all_operational(client):
    data = client.get("/status/api/v2/summary.json").json()
    _validate_summary(data)
    ids = [c["id"] for c in data["components"]]
    assert ids[0] == "website"
    assert {
        "payment-cash_on_delivery",
        "payment-bank_transfer",
        "delivery-courier",
        "delivery-pickup",
        "messages",
    } <= set(ids)
    assert data["status"] == {"indicator": "none", "description": "All systems operational"}
    assert data["incidents"] == []


def test_open_breaker_shows_as_major_outage(client, card, break_provider):
    break_provider(card)
    data = client.get("/status/api/v2/summary.json").json()
    _validate_summary(data)
    component = next(c for c in data["components"] if c["id"] == f"payment-{card.code}")
    assert component["status"] == "major_outage"
    assert data["status"]["indicator"] == "major"
    status = client.get("/status/api/v2/status.json").json()
    assert set(status) == {"page", "status"} and status["status"]["indicator"] == "major"


def test_incident_with_updates_in_json_page_and_feed(client):
    incident = incident_open(
        "Courier delays", "DPD is not collecting parcels today.", ["delivery-courier"], Impact.MINOR, author="ann"
    )
    incident_update(
        incident,
        IncidentStatus.IDENTIFIED,
        "The depot is closed by a storm; pickups resume tomorrow.",
        eta=timezone.now() + timedelta(hours=20),
    )
    data = client.get("/status/api/v2/summary.json").json()
    _validate_summary(data)
    [item] = data["incidents"]
    assert item["name"] == "Courier delays" and item["status"] == "identified" and item["impact"] == "minor"
    assert [u["status"] for u in item["incident_updates"]] == ["identified", "investigating"]
    assert next(c for c in data["components"] if c["id"] == "delivery-courier")["status"] == "degraded_performance"
    assert data["status"]["indicator"] == "minor"

    page = client.get("/status/").content.decode()
    assert "Courier delays" in page and "The depot is closed by a storm" in page and "Expected fix" in page

    feed = client.get("/status/feed.atom")
    assert feed["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(feed.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = [e.findtext("a:title", namespaces=ns) for e in root.findall("a:entry", ns)]
    assert titles == ["Courier delays: Identified", "Courier delays: Investigating"]

    incident_update(incident, IncidentStatus.RESOLVED, "Parcels are moving again.")
    data = client.get("/status/api/v2/summary.json").json()
    assert data["incidents"] == [] and data["status"]["indicator"] == "none"
    page = client.get("/status/").content.decode()
    assert "Past incidents" in page and "Parcels are moving again." in page


def test_cache_headers_and_etag(client):
    for url in ("/status/", "/status/api/v2/summary.json", "/status/api/v2/status.json", "/status/feed.atom"):
        response = client.get(url)
        assert "public" in response["Cache-Control"] and "max-age=30" in response["Cache-Control"]
        assert response["ETag"].startswith('"')
        again = client.get(url, headers={"if-none-match": response["ETag"]})
        assert again.status_code == 304


def test_uptime_bars_from_health_events(card):
    now = datetime(2026, 5, 10, 12, 0, tzinfo=UTC)
    day = datetime(2026, 5, 8, tzinfo=UTC)
    for hour, state in ((6, "open"), (12, "closed")):
        event = HealthEvent.objects.create(provider=card, from_state="x", to_state=state)
        HealthEvent.objects.filter(pk=event.pk).update(created_at=day + timedelta(hours=hour))
    bars = uptime_days([card.id], days=90, now=now)[card.id]
    assert len(bars) == 90
    assert bars[-3] == pytest.approx(0.75)  # 6 of 24 hours out on 8 May
    assert bars[-2] == 1.0 and bars[-1] == 1.0 and bars[0] == 1.0


def test_uptime_counts_an_outage_spanning_midnight(card):
    now = datetime(2026, 5, 10, 12, 0, tzinfo=UTC)
    for at, state in ((datetime(2026, 5, 8, 18, tzinfo=UTC), "open"), (datetime(2026, 5, 9, 6, tzinfo=UTC), "closed")):
        event = HealthEvent.objects.create(provider=card, from_state="x", to_state=state)
        HealthEvent.objects.filter(pk=event.pk).update(created_at=at)
    bars = uptime_days([card.id], days=90, now=now)[card.id]
    assert bars[-3] == pytest.approx(0.75) and bars[-2] == pytest.approx(0.75)


def _at(model_row, when):
    type(model_row).objects.filter(pk=model_row.pk).update(created_at=when)


def test_uptime_is_not_shown_without_recorded_checks(client, card):
    """Nothing recorded: no bars and no percentage, for the website, an online gateway and cash on delivery."""
    page = client.get("/status/").content.decode()
    assert f'id="component-payment-{card.code}"' in page and "Card payments" in page
    assert 'class="up"' not in page and "% uptime" not in page
    assert page.count("No uptime shown: no checks recorded yet.") >= 2  # website and the card gateway
    assert "this does not depend on an outside service" in page  # cash on delivery, bank transfer
    data = client.get("/status/api/v2/summary.json").json()
    assert {c["id"] for c in data["components"]} >= {"website", f"payment-{card.code}", "payment-cash_on_delivery"}


def test_provider_uptime_only_on_days_it_was_called(client, card):
    from steadfast.providers.models import Attempt
    from steadfast.status.snapshot import snapshot_build

    now = timezone.now()
    today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    # Called (probed) two days ago and today; out for 6 hours two days ago.
    for when in (today - timedelta(days=2, hours=-1), now - timedelta(minutes=1)):
        _at(Attempt.objects.create(provider=card, operation="probe", outcome="ok"), when)
    for hour, state in ((6, "open"), (12, "closed")):
        _at(
            HealthEvent.objects.create(provider=card, from_state="x", to_state=state),
            today - timedelta(days=2) + timedelta(hours=hour),
        )
    component = next(c for c in snapshot_build(now)["components"] if c["id"] == f"payment-{card.code}")
    values = [day["value"] for day in component["uptime"]]
    assert values[-3] == pytest.approx(0.75) and values[-1] == 1.0
    assert values[-2] is None and values[0] is None  # nobody called it those days: no data, not 100 %
    assert component["uptime_pct"] == pytest.approx(87.5)
    page = client.get("/status/").content.decode()
    assert "87.5 % uptime (measured days)" in page and 'class="nodata"' in page


def test_website_uptime_counts_downtime_and_maintenance(client):
    from steadfast.status.models import OriginCheck
    from steadfast.status.snapshot import snapshot_build

    now = timezone.now()
    yesterday, two_days = now - timedelta(days=1), now - timedelta(days=2)
    for when, outcome, n in (
        (two_days, "up", 3),
        (two_days, "maintenance", 1),
        (yesterday, "up", 1),
        (yesterday, "down", 1),
    ):
        for _ in range(n):
            _at(OriginCheck.objects.create(outcome=outcome), when)
    website = snapshot_build(now)["components"][0]
    assert website["id"] == "website"
    days = website["uptime"]
    assert days[-3] == {"value": 0.75, "maintenance": True}
    assert days[-2] == {"value": 0.5, "maintenance": False}
    assert days[-1]["value"] is None
    assert website["uptime_pct"] == pytest.approx(62.5)
    page = client.get("/status/").content.decode()
    assert 'class="maint"' in page and 'class="down"' in page and "62.5 % uptime" in page


def test_status_page_and_json_render_from_last_snapshot_when_database_is_down(client):
    from django.db import OperationalError, connection

    from steadfast.status.incidents import incident_open
    from steadfast.status.snapshot import snapshot_clear

    incident_open("Card payments down", "The gateway does not answer.", ["website"], Impact.MAJOR)
    assert client.get("/status/").status_code == 200  # a good snapshot is taken
    snapshot_clear()  # the short-lived copy is gone, as after 15 s

    def database_down(execute, sql, params, many, context):
        raise OperationalError("could not connect to server: Connection refused")

    with connection.execute_wrapper(database_down):
        page = client.get("/status/")
        summary = client.get("/status/api/v2/summary.json")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Card payments down" in body and "live data is unavailable" in body
    assert summary.status_code == 200 and summary.json()["incidents"][0]["name"] == "Card payments down"


def test_finished_days_are_cached_and_today_is_always_counted(card, django_assert_max_num_queries):
    from steadfast.providers.models import Attempt
    from steadfast.status.models import OriginCheck
    from steadfast.status.uptime import provider_bars, website_bars

    now = timezone.now()
    _at(OriginCheck.objects.create(outcome="up"), now - timedelta(days=3))
    _at(Attempt.objects.create(provider=card, operation="probe", outcome="ok"), now - timedelta(days=3))
    assert website_bars(90, now)[0][-4] == 1.0 and provider_bars([card.id], 90, now)[card.id][-4] == 1.0
    OriginCheck.objects.create(outcome="down", created_at=now - timedelta(seconds=1))
    Attempt.objects.create(provider=card, operation="probe", outcome="ok")
    # Today only: one count, one attempt seek, the events (2 for the day fractions, 1 for "changed state"), plus
    # the cache reads when the cache is the database; a cold build makes 90+ (one per finished day).
    with django_assert_max_num_queries(10):
        values, _maintenance = website_bars(90, now + timedelta(seconds=1))
        bars = provider_bars([card.id], 90, now + timedelta(seconds=1))[card.id]
    assert values[-1] == 0.0 and values[-4] == 1.0
    assert bars[-1] == 1.0 and bars[-4] == 1.0 and bars[-2] is None
