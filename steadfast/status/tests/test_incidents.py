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


def test_incident_opens_with_the_breaker_says_what_happened_and_resolves_on_recovery(
    client, card, break_provider, recover_provider, settings
):
    settings.INCIDENT_AFTER_SECONDS = 0
    break_provider(card)  # no incidents_sync() call: the breaker transition itself opens it

    incident = Incident.objects.get()
    assert (incident.provider, incident.automatic, incident.status) == (card, True, IncidentStatus.INVESTIGATING)
    assert "refused or dropped our connections" in incident.updates.get().message

    recover_provider(card)

    incident.refresh_from_db()
    assert incident.status == IncidentStatus.RESOLVED and incident.resolved_at is not None
    assert "works again" in incident.updates.order_by("-created_at", "-id").first().message
    data = client.get("/status/api/v2/summary.json").json()
    assert data["incidents"] == []  # unresolved only, as on Statuspage
    assert next(c for c in data["components"] if c["id"] == f"payment-{card.code}")["status"] == "operational"

    # Out again later: a new incident, the resolved one stays closed.
    break_provider(card)
    assert Incident.objects.count() == 2 and Incident.objects.filter(status=IncidentStatus.RESOLVED).count() == 1


def test_staff_switching_the_broken_provider_off_resolves_its_incident(card, break_provider, admin_user):
    from steadfast.providers.services import provider_disable

    break_provider(card)
    provider_disable(card, admin_user, "support says hours")

    incident = Incident.objects.get()
    assert incident.status == IncidentStatus.RESOLVED
    assert "switched off by staff" in incident.updates.order_by("-created_at", "-id").first().message


def test_a_trial_in_flight_is_still_an_outage_on_the_status_page(client, card, break_provider):
    from steadfast.providers.breaker import breaker_admit, breaker_view

    break_provider(card)
    assert breaker_admit(card).trial and breaker_view(card).state == "half_open"

    data = client.get("/status/api/v2/summary.json").json()
    assert next(c for c in data["components"] if c["id"] == f"payment-{card.code}")["status"] == "major_outage"
    assert Incident.objects.get().updates.count() == 1  # a trial is not news


def test_a_monitoring_incident_going_out_again_is_reopened(card, break_provider, recover_provider, settings):
    from steadfast.status.incidents import incident_update

    break_provider(card)
    incident = Incident.objects.get()
    incident_update(incident, IncidentStatus.MONITORING, "Looks better.", author="ann")
    assert incidents_sync()["reopened"] == [card.code]
    assert Incident.objects.get().status == IncidentStatus.INVESTIGATING


def test_staff_resolution_while_still_out_lets_the_next_outage_open_a_new_incident(
    card, break_provider, recover_provider, settings
):
    from steadfast.status.incidents import incident_update

    break_provider(card)
    incident_update(Incident.objects.get(), IncidentStatus.RESOLVED, "Fixed by the gateway.", author="ann")
    assert incidents_sync()["opened"] == [card.code]  # staff closed it too early: still out, so a new one
    recover_provider(card)
    assert Incident.objects.count() == 2
    assert not Incident.objects.exclude(status=IncidentStatus.RESOLVED).exists()


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


def test_staff_open_and_resolve_an_incident_in_the_admin(client, staff):
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    form = {
        "title": "Website slow",
        "impact": "minor",
        "components": ["website"],
        "eta_0": "",
        "eta_1": "",
        "postmortem": "",
        "updates-TOTAL_FORMS": "1",
        "updates-INITIAL_FORMS": "0",
        "updates-MIN_NUM_FORMS": "0",
        "updates-MAX_NUM_FORMS": "1000",
        "updates-0-status": "identified",
        "updates-0-message": "A database index is rebuilding.",
        "updates-0-eta_0": "",
        "updates-0-eta_1": "",
    }
    response = client.post("/admin/status/incident/add/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    incident = Incident.objects.get()
    assert incident.status == "identified" and incident.updates.get().author == "staffer"
    assert "A database index is rebuilding." in client.get("/status/").content.decode()

    update = incident.updates.get()
    form.update(
        {
            "updates-TOTAL_FORMS": "2",
            "updates-INITIAL_FORMS": "1",
            "updates-0-id": str(update.id),
            "updates-0-incident": str(incident.id),
            "updates-1-status": "resolved",
            "updates-1-message": "Back to normal speed.",
            "updates-1-eta_0": "",
            "updates-1-eta_1": "",
        }
    )
    response = client.post(f"/admin/status/incident/{incident.id}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    incident.refresh_from_db()
    assert incident.status == "resolved" and incident.resolved_at is not None
    assert client.get("/status/api/v2/summary.json").json()["incidents"] == []


def test_admin_pages_open(client, staff, card, break_provider, settings):
    settings.INCIDENT_AFTER_SECONDS = 0
    break_provider(card)
    incidents_sync()
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    incident = Incident.objects.get()
    for url in ("/admin/status/incident/", f"/admin/status/incident/{incident.id}/change/", "/admin/status/banner/add/",
                "/admin/status/modechange/", "/admin/status/shopmode/1/change/", "/admin/status/subscriber/",
                "/admin/status/partnershop/"):
        assert client.get(url).status_code == 200, url
