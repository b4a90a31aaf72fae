from datetime import timedelta

import pytest
from django.utils import timezone

from steadfast.status.incidents import incidents_sync
from steadfast.status.models import Incident, IncidentStatus, ModeChange
from steadfast.status.selectors import current_mode
from steadfast.status.tasks import status_tick_task

pytestmark = pytest.mark.django_db


def test_incident_opened_only_after_the_breaker_stays_open_long_enough(card, break_provider, settings):
    settings.INCIDENT_AFTER_SECONDS = 120
    break_provider(card)
    assert incidents_sync(timezone.now() + timedelta(seconds=60))["opened"] == []
    assert not Incident.objects.exists()

    done = incidents_sync(timezone.now() + timedelta(seconds=121))
    assert done["opened"] == [card.code]
    incident = Incident.objects.get()
    assert (incident.provider, incident.automatic, incident.status) == (card, True, IncidentStatus.INVESTIGATING)
    assert incident.components == [f"payment-{card.code}"]
    assert "Card payments" in incident.updates.get().message

    # Idempotent: the next runs (or a second worker) add nothing.
    assert incidents_sync(timezone.now() + timedelta(seconds=200))["opened"] == []
    assert Incident.objects.count() == 1


def test_recovery_proposes_resolution_and_shows_on_status_page(
    client, card, break_provider, recover_provider, settings
):
    settings.INCIDENT_AFTER_SECONDS = 0
    break_provider(card)
    incidents_sync()
    recover_provider(card)
    assert incidents_sync()["recovered"] == [card.code]
    incident = Incident.objects.get()
    assert incident.status == IncidentStatus.MONITORING and incident.resolved_at is None
    assert "works again" in incident.updates.first().message

    data = client.get("/status/api/v2/summary.json").json()
    [item] = data["incidents"]
    assert item["status"] == "monitoring" and item["incident_updates"][0]["status"] == "monitoring"
    assert next(c for c in data["components"] if c["id"] == f"payment-{card.code}")["status"] == "operational"
    assert "works again" in client.get("/status/").content.decode()

    # Going out again during monitoring re-opens the same incident rather than a second one.
    break_provider(card)
    assert incidents_sync()["reopened"] == [card.code]
    assert Incident.objects.get().status == IncidentStatus.INVESTIGATING


def test_staff_resolution_lets_a_new_outage_open_a_new_incident(card, break_provider, recover_provider, settings):
    from steadfast.status.incidents import incident_update

    settings.INCIDENT_AFTER_SECONDS = 0
    break_provider(card)
    incidents_sync()
    recover_provider(card)
    incidents_sync()
    incident_update(Incident.objects.get(), IncidentStatus.RESOLVED, "Fixed by the gateway.", author="ann")
    break_provider(card)
    assert incidents_sync()["opened"] == [card.code]
    assert Incident.objects.count() == 2


def test_mode_goes_degraded_while_a_provider_is_out_and_back(card, break_provider, recover_provider, settings):
    settings.INCIDENT_AFTER_SECONDS = 0
    break_provider(card)
    incidents_sync()
    assert current_mode().mode == "degraded"
    recover_provider(card)
    incidents_sync()
    assert current_mode().mode == "open"
    assert [(c.actor, c.to_mode) for c in ModeChange.objects.order_by("id")] == [
        ("health check", "degraded"),
        ("health check", "open"),
    ]


def test_health_check_never_overrides_a_mode_staff_chose(card, break_provider, recover_provider, settings):
    from steadfast.status.services import shop_mode_set

    shop_mode_set("catalog_only", None, "inventory")
    break_provider(card)
    incidents_sync()
    recover_provider(card)
    incidents_sync()
    assert current_mode().mode == "catalog_only"


def test_periodic_task_runs_the_sync(card, break_provider, settings):
    settings.INCIDENT_AFTER_SECONDS = 0
    break_provider(card)
    status_tick_task.call_local()
    assert Incident.objects.filter(provider=card, automatic=True).count() == 1
