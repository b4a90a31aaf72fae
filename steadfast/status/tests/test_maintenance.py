"""Scheduled maintenance: announced ahead (page, JSON, feed), enforced in its window, listed and cancelled."""

import xml.etree.ElementTree as ET
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from steadfast.status.models import MaintenanceWindow, ModeChange, ShopMode
from steadfast.status.selectors import current_mode

pytestmark = pytest.mark.django_db
ATOM = {"a": "http://www.w3.org/2005/Atom"}


def _schedule(start, end, *extra):
    out = StringIO()
    call_command(
        "mode",
        "schedule",
        "maintenance",
        "--start",
        start.isoformat(),
        "--end",
        end.isoformat(),
        "--reason",
        "database upgrade",
        *extra,
        stdout=out,
    )
    return MaintenanceWindow.objects.latest("id")


def test_planned_window_is_announced_everywhere(client):
    start = timezone.now() + timedelta(days=1)
    window = _schedule(
        start,
        start + timedelta(hours=2),
        "--title",
        "Database upgrade",
        "--message",
        "Ordering pauses for two hours; browsing keeps working.",
    )
    page = client.get("/status/").content.decode()
    assert "Scheduled maintenance" in page and "Database upgrade" in page
    assert "Ordering pauses for two hours" in page and f'href="/status/maintenance/m{window.id}/"' in page

    summary = client.get("/status/api/v2/summary.json").json()
    [announced] = summary["scheduled_maintenances"]
    assert announced["id"] == f"m{window.id}" and announced["status"] == "scheduled"
    assert announced["impact"] == "maintenance" and announced["scheduled_for"] == start.isoformat()
    assert [c["id"] for c in announced["components"]] == ["website"]
    assert client.get("/status/api/v2/scheduled-maintenances/upcoming.json").json()["scheduled_maintenances"]
    assert client.get("/status/api/v2/scheduled-maintenances/active.json").json()["scheduled_maintenances"] == []

    feed = ET.fromstring(client.get("/status/feed.atom").content)
    titles = [e.findtext("a:title", namespaces=ATOM) for e in feed.findall("a:entry", ATOM)]
    assert titles == [f"Database upgrade ({start.isoformat()[:16].replace('T', ' ')} UTC): Scheduled"]

    permalink = client.get(f"/status/maintenance/m{window.id}/").content.decode()
    assert "Database upgrade" in permalink and "Ordering pauses for two hours" in permalink
    assert current_mode().mode == "open"  # announced, not yet in force


def test_running_window_is_active_and_closes_the_shop(client):
    now = timezone.now()
    window = MaintenanceWindow.objects.create(
        title="Server move",
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(hours=1),
        components=["website"],
    )
    MaintenanceWindow.objects.filter(pk=window.pk).update(created_at=now - timedelta(days=1))  # announced yesterday
    from steadfast.status.maintenance import maintenance_sync

    maintenance_sync()
    assert current_mode().mode == "maintenance"
    [active] = client.get("/status/api/v2/scheduled-maintenances/active.json").json()["scheduled_maintenances"]
    assert active["id"] == f"m{window.id}" and active["status"] == "in_progress"
    assert [u["status"] for u in active["incident_updates"]] == ["in_progress", "scheduled"]
    summary = client.get("/status/api/v2/summary.json").json()
    assert summary["status"]["indicator"] == "maintenance"
    assert next(c for c in summary["components"] if c["id"] == "website")["status"] == "under_maintenance"


def test_windows_listed_and_cancelled_from_the_cli(client):
    start = timezone.now() + timedelta(days=1)
    first = _schedule(start, start + timedelta(hours=1), "--title", "First")
    second = _schedule(start + timedelta(days=1), start + timedelta(days=1, hours=1), "--title", "Second")
    assert ShopMode.objects.get().scheduled_start == first.starts_at  # the earliest one is enforced

    out = StringIO()
    call_command("mode", "windows", stdout=out)
    listing = out.getvalue()
    assert f"{first.id:>4}  scheduled" in listing and "First" in listing and "Second" in listing

    out = StringIO()
    call_command("mode", "cancel", str(first.id), stdout=out)
    assert f"cancelled window {first.id}: First" in out.getvalue()
    assert ShopMode.objects.get().scheduled_start == second.starts_at  # the next one takes its place
    names = [
        m["name"] for m in client.get("/status/api/v2/scheduled-maintenances.json").json()["scheduled_maintenances"]
    ]
    assert names == ["Second"]
    assert "First" not in client.get("/status/").content.decode()
    feed = client.get("/status/feed.atom").content.decode()
    assert "First" in feed and "This maintenance is cancelled." in feed  # subscribers hear of the cancellation
    assert client.get(f"/status/maintenance/m{first.id}/").status_code == 404


def test_bad_window_requests_change_nothing():
    start = timezone.now() + timedelta(days=1)
    _schedule(start, start + timedelta(hours=2))
    with pytest.raises(CommandError, match="overlaps window"):
        _schedule(start + timedelta(hours=1), start + timedelta(hours=3))
    with pytest.raises(CommandError, match="There is no maintenance window 999"):
        call_command("mode", "cancel", "999")
    with pytest.raises(CommandError, match="already over"):
        _schedule(start - timedelta(days=3), start - timedelta(days=2))
    assert MaintenanceWindow.objects.count() == 1


def test_cancelling_a_running_window_reopens_the_shop():
    from steadfast.status.services import shop_mode_tick

    now = timezone.now()
    window = _schedule(now - timedelta(minutes=1), now + timedelta(hours=1))
    assert shop_mode_tick() == "maintenance"  # the worker applied it
    out = StringIO()
    call_command("mode", "cancel", str(window.id), stdout=out)
    assert "mode: open" in out.getvalue() and current_mode().mode == "open"
    window.refresh_from_db()
    assert window.cancelled_at and window.ends_at <= timezone.now()
    assert ModeChange.objects.first().reason == f"Maintenance window {window.id} cancelled."


def test_announcement_in_the_visitors_language(client):
    start = timezone.now() + timedelta(days=1)
    _schedule(start, start + timedelta(hours=1))
    page = client.get("/status/", headers={"accept-language": "pl"}).content.decode()
    assert "Planowana przerwa techniczna" in page and "Historia incydentów" in page
    page = client.get("/status/", headers={"accept-language": "ru"}).content.decode()
    assert "Плановые технические работы" in page and "Вернуться в" in page
