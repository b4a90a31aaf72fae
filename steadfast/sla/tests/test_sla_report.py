"""The admin SLA report: downtime windows from breaker transitions, uptime and budget, CSV and PDF for a claim."""

import base64
import csv
import io
import re
import zlib
from datetime import datetime

import pytest
from django.utils import timezone

from steadfast.providers.models import Attempt, HealthEvent, Provider
from steadfast.sla.report import providers_sla
from steadfast.status.incident_models import Incident

pytestmark = pytest.mark.django_db


def at(day, hour, minute=0):
    return timezone.make_aware(datetime(2026, 11, day, hour, minute))


def event(provider, to_state, when, reason=""):
    row = HealthEvent.objects.create(provider=provider, from_state="closed", to_state=to_state, reason=reason)
    HealthEvent.objects.filter(pk=row.pk).update(created_at=when)


def attempt(provider, outcome, when):
    row = Attempt.objects.create(provider=provider, operation="charge", outcome=outcome)
    Attempt.objects.filter(pk=row.pk).update(created_at=when)


@pytest.fixture
def gateway():
    provider = Provider.objects.create(kind="payment", code="card", adapter="stripe", name="Card")
    event(provider, "open", at(2, 10), "5 failures in 30 s")
    event(provider, "half_open", at(2, 10, 30))
    event(provider, "closed", at(2, 11), "trial succeeded")
    event(provider, "disabled", at(5, 9))  # staff switched it off: not the provider's downtime
    event(provider, "closed", at(5, 10))
    for minute in range(0, 30, 5):
        attempt(provider, "unavailable", at(2, 10, minute))
    attempt(provider, "ok", at(3, 12))
    attempt(provider, "declined", at(3, 12))
    return provider


def test_windows_uptime_budget_and_error_rate(gateway):
    row = next(r for r in providers_sla("2026-11", 99.9, now=at(30, 23)) if r.provider == gateway)
    assert [(w["start"], w["end"], w["minutes"], w["failures"], w["reason"]) for w in row.windows] == [
        (at(2, 10), at(2, 11), 60.0, 6, "5 failures in 30 s")]
    assert row.downtime_minutes == 60.0 and row.calls == 8 and row.failures == 6 and row.error_rate_pct == 75.0
    measured = (at(30, 23) - at(1, 0)).total_seconds() / 60
    assert row.uptime_pct == round(100 * (1 - 60 / measured), 3)
    assert row.budget_minutes == round(measured * 0.001, 1) and row.budget_left_minutes < 0


def test_admin_page_and_csv(admin_client, gateway):
    page = admin_client.get("/admin/sla/", {"month": "2026-11", "target": "99.5"}).content.decode()
    assert 'id="sf-sla-card"' in page and "5 failures in 30 s" in page
    answer = admin_client.get("/admin/sla/", {"month": "2026-11", "target": "99.5", "format": "csv"})
    rows = list(csv.reader(io.StringIO(answer.content.decode())))
    card = next(r for r in rows if r[1:2] == ["card"])
    assert card[:3] == ["2026-11", "card", "payment"] and card[4] == "99.5" and card[5] == "60.0"
    assert rows[-1][0] == "card" and rows[-1][3:] == ["60.0", "6", "5 failures in 30 s"]
    bad = admin_client.get("/admin/sla/", {"month": "November", "target": "200"}).content.decode()
    assert "Enter the month as YYYY-MM" in bad and "between 0 and 100" in bad


def pdf_text(content: bytes) -> str:
    """The PDF's page content: reportlab's ASCII85 + Flate streams, decoded (text shows as `(...) Tj`)."""
    streams = re.findall(rb"/Filter \[ /ASCII85Decode /FlateDecode \].*?stream\r?\n(.*?)endstream", content, re.S)
    return "".join(zlib.decompress(base64.a85decode(s.strip(), adobe=True)).decode("latin-1") for s in streams)


def test_pdf_has_figures_windows_and_evidence(admin_client, gateway, settings):
    incident = Incident.objects.create(title="Card down", provider=gateway, automatic=True)
    Incident.objects.filter(pk=incident.pk).update(created_at=at(2, 10, 5), resolved_at=at(2, 11), status="resolved")
    answer = admin_client.get("/admin/sla/", {"month": "2026-11", "target": "99.5", "format": "pdf"})
    assert answer["Content-Type"] == "application/pdf" and answer.content.startswith(b"%PDF")
    text = pdf_text(answer.content)
    uptime = next(r for r in providers_sla("2026-11", 99.5) if r.provider == gateway).uptime_pct
    assert settings.SHOP_NAME in text and "2026-11" in text and "99.5" in text and settings.TIME_ZONE in text
    assert "Card" in text and str(uptime) in text and "5 failures in 30 s" in text
    # The window (10:00-11:00 shop time), its first and last failed call (10:00, 10:25) and the incident.
    assert "2026-11-02 10:00:00" in text and "2026-11-02 11:00:00" in text and "2026-11-02 10:25:00" in text
    assert f"#{incident.pk} Card down" in text
    page = admin_client.get("/admin/sla/", {"month": "2026-11"}).content.decode()
    assert 'id="sf-sla-pdf"' in page and "format=pdf" in page


def test_staff_only(client, django_user_model):
    assert client.get("/admin/sla/").status_code == 302
    client.force_login(django_user_model.objects.create_user("shopper", password="x"))
    answer = client.get("/admin/sla/", {"month": "2026-11", "format": "pdf"})
    assert answer.status_code == 302 and answer.get("Content-Type") != "application/pdf"
