"""Staff see the worker's and the scheduler's last beat on the dashboard; a missing one stands out."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from steadfast.heartbeat.beats import heartbeat_record


def card(html, card_id):
    start = html.index(f'id="{card_id}"')
    return html[html.rindex("<div", 0, start):html.index("</div>", start)]


@pytest.mark.django_db
def test_dashboard_shows_last_beats_and_highlights_the_missing_one(admin_client, settings):
    settings.HEARTBEAT_STALE_SECONDS = 180
    now = timezone.now()
    heartbeat_record("scheduler", now - timedelta(seconds=20))
    heartbeat_record("worker", now - timedelta(minutes=10))
    html = admin_client.get(reverse("admin:index")).content.decode()
    scheduler, worker = card(html, "sf-beat-scheduler"), card(html, "sf-beat-worker")
    assert "Running" in scheduler and "sf-bad" not in scheduler
    assert "No heartbeat" in worker and "sf-bad" in worker and "missing after 180 s" in worker
    assert "Not run yet" in card(html, "sf-test-purchase")


@pytest.mark.django_db
def test_no_beat_ever_says_to_start_the_worker(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()
    assert "Never seen" in card(html, "sf-beat-worker") and "manage.py run_huey" in card(html, "sf-beat-worker")
