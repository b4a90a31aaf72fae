"""The Statuspage-compatible public API, permalinks, history and the feed as a reader sees them."""

import xml.etree.ElementTree as ET

import pytest

from steadfast.status.incidents import incident_open, incident_update
from steadfast.status.models import Impact, IncidentStatus

pytestmark = pytest.mark.django_db

ATOM = {"a": "http://www.w3.org/2005/Atom"}
ENDPOINTS = {
    "status.json": {"page", "status"},
    "summary.json": {"page", "status", "components", "incidents", "scheduled_maintenances",
                     "synthetic_checkout"},  # ours, for steadfast-watch
    "components.json": {"page", "components"},
    "incidents.json": {"page", "incidents"},
    "incidents/unresolved.json": {"page", "incidents"},
    "scheduled-maintenances.json": {"page", "scheduled_maintenances"},
    "scheduled-maintenances/upcoming.json": {"page", "scheduled_maintenances"},
    "scheduled-maintenances/active.json": {"page", "scheduled_maintenances"},
}


def test_every_statuspage_endpoint_answers_json_with_cors(client, settings):
    settings.SITE_URL = "https://shop.example.com"
    for name, keys in ENDPOINTS.items():
        response = client.get(f"/status/api/v2/{name}", headers={"origin": "https://widget.example.net"})
        assert response.status_code == 200, name
        assert response["Content-Type"] == "application/json" and response["Access-Control-Allow-Origin"] == "*"
        data = response.json()
        assert set(data) == keys, name
        assert data["page"]["url"] == "https://shop.example.com/status/"
    assert client.get("/status/api/v2/nothing.json").status_code == 404


def test_component_groups_as_statuspage_lists_them(client, card, break_provider):
    break_provider(card)
    components = client.get("/status/api/v2/components.json").json()["components"]
    by_id = {c["id"]: c for c in components}
    payments = by_id["payments"]
    assert payments["group"] is True and payments["group_id"] is None
    assert {f"payment-{card.code}", "payment-cash_on_delivery"} <= set(payments["components"])
    assert by_id[f"payment-{card.code}"]["group_id"] == "payments" and by_id[f"payment-{card.code}"]["group"] is False
    assert payments["status"] == "major_outage"  # the worst of its members
    assert by_id["delivery"]["group"] is True and by_id["website"]["group_id"] is None
    page = client.get("/status/").content.decode()
    assert 'id="group-payments" open' in page  # a group with trouble is shown unfolded
    assert 'id="group-delivery" >' in page  # all fine there: folded


def test_incidents_json_unresolved_and_permalinks(client, settings):
    settings.SITE_URL = "https://shop.example.com"
    old = incident_open("Courier delays", "DPD is late.", ["delivery-courier"], Impact.MINOR)
    incident_update(old, IncidentStatus.RESOLVED, "Parcels move again.")
    old.postmortem = "A storm closed the depot."
    old.save()
    current = incident_open("Card payments down", "The gateway does not answer.", ["website"], Impact.MAJOR)

    everything = client.get("/status/api/v2/incidents.json").json()["incidents"]
    assert [i["name"] for i in everything] == ["Card payments down", "Courier delays"]
    assert everything[1]["status"] == "resolved" and everything[1]["resolved_at"]
    assert everything[0]["shortlink"] == f"https://shop.example.com/status/incidents/{current.id}/"
    unresolved = client.get("/status/api/v2/incidents/unresolved.json").json()["incidents"]
    assert [i["name"] for i in unresolved] == ["Card payments down"]

    page = client.get(f"/status/incidents/{old.id}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Courier delays" in body and "Parcels move again." in body and "DPD is late." in body
    assert "A storm closed the depot." in body and 'href="https://shop.example.com"' in body
    assert client.get("/status/incidents/999999/").status_code == 404

    front = client.get("/status/").content.decode()
    assert "stale-notice" not in front and "<script" not in front  # the live page is never "an old copy"
    assert f'href="/status/incidents/{current.id}/"' in front and 'href="/status/history/"' in front
    history = client.get("/status/history/").content.decode()
    assert "Courier delays" in history and f'href="/status/incidents/{old.id}/"' in history
    assert "Card payments down" not in history  # still open: on the front page, not in the history


def test_feed_is_text_with_urls_from_site_url(client, settings):
    settings.SITE_URL = "https://shop.example.com"
    incident_open(
        'Checkout <img src=x onerror="alert(1)"> slow',
        '<a href="javascript:alert(2)">details</a> <script>alert(3)</script>We are on it.',
        ["website"],
    )
    response = client.get("/status/feed.atom", headers={"host": "127.0.0.1:6666"}, SERVER_NAME="127.0.0.1")
    root = ET.fromstring(response.content)
    [entry] = root.findall("a:entry", ATOM)
    summary = entry.find("a:summary", ATOM)
    assert summary.get("type") == "text" and summary.text == "details We are on it."
    assert entry.findtext("a:title", namespaces=ATOM) == "Checkout  slow: Investigating"
    assert entry.find("a:link", ATOM).get("href").startswith("https://shop.example.com/status/incidents/")
    assert b"127.0.0.1:6666" not in response.content and b"onerror" not in response.content
    assert b"javascript:" not in response.content and b"alert(3)" not in response.content
