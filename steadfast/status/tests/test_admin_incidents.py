"""Incident and banner admin as staff use it: components from a list, append-only updates, a Resolve button,
banner translations in one box per language."""

import pytest
from django.core import mail
from django.urls import reverse

from steadfast.notify.models import OutboxMessage
from steadfast.notify.tasks import outbox_sweep
from steadfast.status.incidents import incident_open
from steadfast.status.models import Banner, Incident, IncidentUpdate

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client, staff):
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    return client


def change_url(incident):
    return reverse("admin:status_incident_change", args=[incident.pk])


def test_components_are_checkboxes_of_what_the_status_page_lists(admin, card):
    html = admin.get(reverse("admin:status_incident_add")).content.decode()
    assert 'type="checkbox" name="components" value="website"' in html
    assert f'value="payment-{card.code}"' in html
    assert "Website and ordering" in html
    assert '<textarea name="components"' not in html  # no JSON box


def test_unknown_component_is_refused_and_a_known_one_saved(admin, card):
    form = {
        "title": "Card payments failing", "impact": "major", "eta_0": "", "eta_1": "", "postmortem": "",
        "updates-TOTAL_FORMS": "1", "updates-INITIAL_FORMS": "0", "updates-MIN_NUM_FORMS": "1",
        "updates-MAX_NUM_FORMS": "1000", "updates-0-status": "investigating",
        "updates-0-message": "Card payments fail.", "updates-0-eta_0": "", "updates-0-eta_1": "",
    }
    refused = admin.post(reverse("admin:status_incident_add"), {**form, "components": ["payment-nope"]})
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()
    assert not Incident.objects.exists()
    saved = admin.post(reverse("admin:status_incident_add"), {**form, "components": [f"payment-{card.code}"]})
    assert saved.status_code == 302
    assert Incident.objects.get().components == [f"payment-{card.code}"]


def test_a_new_incident_needs_a_public_message(admin):
    form = {
        "title": "Slow", "impact": "minor", "eta_0": "", "eta_1": "", "postmortem": "",
        "updates-TOTAL_FORMS": "1", "updates-INITIAL_FORMS": "0", "updates-MIN_NUM_FORMS": "1",
        "updates-MAX_NUM_FORMS": "1000", "updates-0-status": "investigating", "updates-0-message": "",
        "updates-0-eta_0": "", "updates-0-eta_1": "",
    }
    response = admin.post(reverse("admin:status_incident_add"), form)
    assert response.status_code == 200 and not Incident.objects.exists()


def test_sent_updates_cannot_be_edited_and_a_correction_is_a_new_update(admin):
    incident = incident_open("Checkout slow", "Checkout is slow.", components=["website"], author="ann")
    first = incident.updates.get()
    html = admin.get(change_url(incident)).content.decode()
    assert "Checkout is slow." in html
    assert 'name="updates-0-message"' not in html  # the sent update is text, not a field
    assert 'name="updates-1-message"' in html  # the one new update

    form = {
        "title": incident.title, "impact": incident.impact, "components": ["website"], "eta_0": "", "eta_1": "",
        "postmortem": "", "updates-TOTAL_FORMS": "2", "updates-INITIAL_FORMS": "1", "updates-MIN_NUM_FORMS": "0",
        "updates-MAX_NUM_FORMS": "1000", "updates-0-id": str(first.pk), "updates-0-incident": str(incident.pk),
        "updates-0-status": "resolved", "updates-0-message": "Rewritten history.",  # tampered: must be ignored
        "updates-1-status": "identified", "updates-1-message": "Correction: only card checkout is slow.",
        "updates-1-eta_0": "", "updates-1-eta_1": "",
    }
    response = admin.post(change_url(incident), form)
    assert response.status_code == 302, response.content.decode()[:1500]
    first.refresh_from_db()
    assert first.message == "Checkout is slow." and first.status == "investigating"
    messages = list(IncidentUpdate.objects.filter(incident=incident).order_by("created_at", "id")
                    .values_list("status", "message", "author"))
    assert messages == [("investigating", "Checkout is slow.", "ann"),
                        ("identified", "Correction: only card checkout is slow.", "staffer")]
    incident.refresh_from_db()
    assert incident.status == "identified"


def test_resolve_button_adds_the_final_update_and_closes_the_incident(admin, client):
    incident = incident_open("Checkout slow", "Checkout is slow.", components=["website"])
    html = admin.get(change_url(incident)).content.decode()
    assert "Resolve incident" in html
    response = admin.post(reverse("admin:status_incident_resolve", args=[incident.pk]),
                          {"message": "Fixed: checkout is fast again."})
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == "resolved" and incident.resolved_at is not None
    assert incident.updates.order_by("-created_at", "-id").first().message == "Fixed: checkout is fast again."
    assert "Resolve incident" not in admin.get(change_url(incident)).content.decode()
    assert admin.get(reverse("status:page")).status_code == 200
    assert admin.get("/status/api/v2/summary.json").json()["incidents"] == []


def test_resolve_without_a_message_changes_nothing(admin):
    incident = incident_open("Checkout slow", "Checkout is slow.")
    admin.post(reverse("admin:status_incident_resolve", args=[incident.pk]), {"message": "  "}, follow=True)
    incident.refresh_from_db()
    assert incident.status == "investigating" and incident.updates.count() == 1


def test_banner_translations_are_one_box_per_language(admin, client):
    html = admin.get(reverse("admin:status_banner_add")).content.decode()
    assert 'name="message_pl"' in html and 'name="message_ru"' in html and 'name="translations"' not in html
    response = admin.post(reverse("admin:status_banner_add"), {
        "message": "Card payments are down.", "message_pl": "Płatności kartą nie działają.", "message_ru": "",
        "severity": "warning", "active": "on", "phone": "", "email": "", "telegram": "", "whatsapp": "", "vk": "",
    })
    assert response.status_code == 302, response.content.decode()[:1500]
    banner = Banner.objects.get()
    assert banner.translations == {"pl": "Płatności kartą nie działają."}
    edit = admin.get(reverse("admin:status_banner_change", args=[banner.pk])).content.decode()
    assert "Płatności kartą nie działają.</textarea>" in edit


def new_incident_form(title, message):
    return {
        "title": title, "impact": "major", "components": ["website"], "eta_0": "", "eta_1": "", "postmortem": "",
        "updates-TOTAL_FORMS": "1", "updates-INITIAL_FORMS": "0", "updates-MIN_NUM_FORMS": "1",
        "updates-MAX_NUM_FORMS": "1000", "updates-0-status": "investigating", "updates-0-message": message,
        "updates-0-eta_0": "", "updates-0-eta_1": "",
    }


def test_staff_opening_an_incident_alerts_the_staff_once(admin, settings):
    settings.STAFF_ALERT_EMAILS = ["oncall@example.com"]
    form = new_incident_form("Parcel lockers down", "Lockers do not accept parcels & we are on it.")
    assert admin.post(reverse("admin:status_incident_add"), form).status_code == 302
    incident = Incident.objects.get()
    alert = OutboxMessage.objects.get(kind="staff_incident")
    assert alert.key == f"staff_incident:{incident.pk}" and alert.payload["author"] == "staffer"
    outbox_sweep()
    [sent] = [m for m in mail.outbox if m.subject.startswith("[Incident]")]
    assert sent.to == ["oncall@example.com"] and sent.subject == "[Incident] Parcel lockers down, opened by staffer"
    assert "Lockers do not accept parcels & we are on it." in sent.body and change_url(incident) in sent.body

    # A later public update is not a new incident, and an automatic one comes with its provider's own alert.
    update = {**form, "updates-TOTAL_FORMS": "2", "updates-INITIAL_FORMS": "1",
              "updates-0-id": str(incident.updates.get().pk), "updates-0-incident": str(incident.pk),
              "updates-1-status": "identified", "updates-1-message": "InPost confirmed.",
              "updates-1-eta_0": "", "updates-1-eta_1": ""}
    assert admin.post(change_url(incident), update).status_code == 302 and incident.updates.count() == 2
    incident_open("Card payments failing", "We are on it.", automatic=True)
    assert OutboxMessage.objects.filter(kind="staff_incident").count() == 1
