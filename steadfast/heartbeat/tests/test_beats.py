"""Dead-man heartbeats: the scheduler's enqueue and the worker's run each leave a beat; /readyz shows a missing or
stale one as detail while the web node stays ready."""

from datetime import timedelta

import pytest
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from steadfast.heartbeat.beats import heartbeat_record
from steadfast.heartbeat.tasks import heartbeat_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def immediate_huey():
    before = HUEY.immediate
    HUEY.immediate = True  # enqueue runs the task in this process: the scheduler's enqueue and a worker's run
    yield
    HUEY.immediate = before


def test_without_a_running_consumer_readyz_names_both_beats_missing_but_stays_ready(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    background = response.json()["background"]
    assert background["ok"] is False
    assert background["worker"] == {"ok": False, "last_beat": None, "age_seconds": None}
    assert background["scheduler"]["ok"] is False


def test_the_scheduled_heartbeat_records_the_scheduler_and_the_worker(client, immediate_huey):
    HUEY.enqueue(heartbeat_task.s())  # what the consumer's scheduler does every minute

    background = client.get("/readyz").json()["background"]
    assert background["ok"] is True, background
    assert background["worker"]["ok"] and background["scheduler"]["ok"]
    assert 0 <= background["worker"]["age_seconds"] <= background["stale_after_seconds"]


def test_a_worker_that_stopped_beating_shows_as_stale(client, settings):
    settings.HEARTBEAT_STALE_SECONDS = 180
    now = timezone.now()
    heartbeat_record("scheduler", now)
    heartbeat_record("worker", now - timedelta(seconds=181))

    response = client.get("/readyz")

    background = response.json()["background"]
    assert response.status_code == 200 and background["ok"] is False
    assert background["scheduler"]["ok"] is True
    assert background["worker"]["ok"] is False and background["worker"]["age_seconds"] >= 181
