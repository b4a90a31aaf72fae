"""Incident text is staff-written and public: stored without markup, so the page, JSON and feed carry only text."""

import pytest
from django.test import Client

from steadfast.status.incidents import incident_open, incident_update
from steadfast.status.models import Incident, IncidentStatus, IncidentUpdate

pytestmark = pytest.mark.django_db
EVIL = ('<img src=x onerror="alert(1)">Card payments <b>slow</b> <a href="javascript:alert(2)">details</a>'
        '<script>alert(3)</script> &lt;svg onload=alert(4)&gt; — 5 < 6 & more')


def test_incident_title_updates_and_postmortem_are_stored_as_plain_text():
    incident = incident_open(EVIL, EVIL, ["payments"], "minor")
    incident_update(incident, IncidentStatus.MONITORING, EVIL)
    incident.postmortem = EVIL
    incident.save()

    stored = [incident.title, incident.postmortem, *IncidentUpdate.objects.values_list("message", flat=True)]
    stored += [Incident.objects.get().title, Incident.objects.get().postmortem]
    for text in stored:
        assert text == "Card payments slow details  — 5 < 6 & more", text

    summary = Client().get("/status/api/v2/summary.json").content.decode()
    feed = Client().get("/status/feed.atom").content.decode()
    page = Client().get("/status/").content.decode()
    for public in (summary, feed, page):
        for needle in ("onerror", "javascript:", "<script", "onload", "alert("):
            assert needle not in public, needle
    assert "Card payments slow details" in summary and "Card payments slow details" in page
