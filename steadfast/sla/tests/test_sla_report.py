"""The admin SLA report: downtime windows from breaker transitions, uptime and budget against each provider's own
contract figure, CSV and PDF with the evidence for a claim."""

import base64
import csv
import io
import re
import zlib
from datetime import datetime
from decimal import Decimal

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
    return row


@pytest.fixture
def gateway():
    provider = Provider.objects.create(kind="payment", code="card", adapter="stripe", name="Card",
                                       sla_target_pct=Decimal("99.9"))
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
    row = next(r for r in providers_sla("2026-11", now=at(30, 23)) if r.provider == gateway)
    assert [(w["start"], w["end"], w["minutes"], w["calls"], w["failures"], w["reason"]) for w in row.windows] == [
        (at(2, 10), at(2, 11), 60.0, 6, 6, "5 failures in 30 s")]
    assert row.downtime_minutes == 60.0 and row.calls == 8 and row.failures == 6 and row.error_rate_pct == 75.0
    measured = (at(30, 23) - at(1, 0)).total_seconds() / 60
    assert row.uptime_pct == round(100 * (1 - 60 / measured), 3)
    assert row.budget_minutes == round(measured * 0.001, 1) and row.budget_left_minutes < 0


@pytest.fixture
def courier():
    """A second provider with a looser contract (99.0 %): the same outage uses a tenth of its budget."""
    provider = Provider.objects.create(kind="shipping", code="courier", adapter="cdek", name="Courier",
                                       sla_target_pct=Decimal("99.0"), config={"api_base": "http://127.0.0.1:9"})
    event(provider, "open", at(3, 8), "3 unavailable in a row")
    event(provider, "closed", at(3, 9), "probe succeeded")
    return provider


def test_each_provider_is_measured_against_its_own_contract(gateway, courier):
    report = {r.provider.code: r for r in providers_sla("2026-11", now=at(30, 23))}
    measured = (at(30, 23) - at(1, 0)).total_seconds() / 60
    card, post = report["card"], report["courier"]
    assert (card.target_pct, post.target_pct) == (99.9, 99.0)
    assert card.downtime_minutes == post.downtime_minutes == 60.0
    assert card.budget_minutes == round(measured * 0.001, 1) and post.budget_minutes == round(measured * 0.01, 1)
    assert card.budget_left_minutes < 0 < post.budget_left_minutes


def test_admin_page_shows_each_target_and_where_to_change_it(admin_client, gateway, courier):
    page = admin_client.get("/admin/sla/", {"month": "2026-11"}).content.decode()
    assert 'id="sf-sla-card"' in page and "5 failures in 30 s" in page and 'name="target"' not in page
    card = page[page.index('id="sf-sla-card"'):]
    courier_row = page[page.index('id="sf-sla-courier"'):]
    assert f'href="/admin/providers/provider/{gateway.pk}/change/"' in card[:card.index("</tr>")]
    assert ">99.9 %<" in card[:card.index("</tr>")] and ">99.0 %<" in courier_row[:courier_row.index("</tr>")]
    assert "the provider → “contract uptime”" in page  # where to change it
    bad = admin_client.get("/admin/sla/", {"month": "November"}).content.decode()
    assert "Enter the month as YYYY-MM" in bad
    # The figure is entered on the provider, in the admin, and checked there.
    change = f"/admin/providers/provider/{courier.pk}/change/"
    form = admin_client.get(change).content.decode()
    assert 'name="sla_target_pct"' in form and 'value="99.000"' in form
    config = '{"api_base": "http://127.0.0.1:9"}'  # unchanged (sent with its initial value, as a browser does)
    fields = {"kind": "shipping", "code": "courier", "adapter": "cdek", "name": "Courier", "priority": 100,
              "config": config, "initial-config": config, "change_reason": ""}
    refused = admin_client.post(change, {**fields, "sla_target_pct": "100.5"})
    assert refused.status_code == 200 and "less than or equal to 100" in refused.content.decode()
    assert admin_client.post(change, {**fields, "sla_target_pct": "99.95"}).status_code == 302
    courier.refresh_from_db()
    assert courier.sla_target_pct == Decimal("99.950")
    assert next(r for r in providers_sla("2026-11") if r.provider == courier).target_pct == 99.95


def test_csv_has_each_target_and_the_evidence_of_every_window(admin_client, gateway, courier, settings):
    incident = Incident.objects.create(title="Card down", provider=gateway, automatic=True)
    Incident.objects.filter(pk=incident.pk).update(created_at=at(2, 10, 5), resolved_at=at(2, 11), status="resolved")
    attempt(courier, "ok", at(3, 8, 10))
    first = attempt(courier, "unavailable", at(3, 8, 20))
    attempt(courier, "declined", at(3, 8, 30))  # the customer's business: a call, not a failure
    last = attempt(courier, "indeterminate", at(3, 8, 40))
    attempt(courier, "unavailable", at(3, 9, 30))  # after the window
    answer = admin_client.get("/admin/sla/", {"month": "2026-11", "format": "csv"})
    assert answer["Content-Disposition"] == 'attachment; filename="sla-2026-11.csv"'
    rows = list(csv.reader(io.StringIO(answer.content.decode())))
    summary = {r[1]: dict(zip(rows[0], r, strict=True)) for r in rows[1:rows.index([])]}
    assert summary["card"]["target_pct"] == "99.9" and summary["courier"]["target_pct"] == "99.0"
    assert summary["card"]["budget_minutes"] != summary["courier"]["budget_minutes"]
    assert (summary["courier"]["calls"], summary["courier"]["failed_calls"], summary["courier"]["error_rate_pct"]) \
        == ("5", "3", "60.0")
    header = rows[rows.index([]) + 1]
    windows = {r[0]: dict(zip(header, r, strict=True)) for r in rows[rows.index([]) + 2:]}
    shop_time = timezone.localtime
    first.refresh_from_db()
    last.refresh_from_db()
    assert windows["courier"] == {
        "provider": "courier", "out_from": shop_time(at(3, 8)).isoformat(), "back_at": shop_time(at(3, 9)).isoformat(),
        "minutes": "60.0", "calls_in_window": "4", "failed_calls_in_window": "2",
        "first_failed_call": shop_time(first.created_at).isoformat(),
        "last_failed_call": shop_time(last.created_at).isoformat(), "reason": "3 unavailable in a row",
        "incident_id": "", "incident_title": "", "incident_url": ""}
    card = windows["card"]
    assert (card["calls_in_window"], card["failed_calls_in_window"], card["reason"]) == ("6", "6", "5 failures in 30 s")
    assert card["first_failed_call"] == shop_time(at(2, 10)).isoformat()
    assert card["last_failed_call"] == shop_time(at(2, 10, 25)).isoformat()
    assert (card["incident_id"], card["incident_title"]) == (str(incident.pk), "Card down")
    assert card["incident_url"] == f"{settings.SITE_URL.rstrip('/')}/status/incidents/{incident.pk}/"
    assert admin_client.get(card["incident_url"].removeprefix(settings.SITE_URL.rstrip("/"))).status_code == 200


def pdf_text(content: bytes) -> str:
    """The PDF's page content: reportlab's ASCII85 + Flate streams, decoded (text shows as `(...) Tj`)."""
    streams = re.findall(rb"/Filter \[ /ASCII85Decode /FlateDecode \].*?stream\r?\n(.*?)endstream", content, re.S)
    return "".join(zlib.decompress(base64.a85decode(s.strip(), adobe=True)).decode("latin-1") for s in streams)


def test_pdf_has_figures_windows_and_evidence(admin_client, gateway, settings):
    incident = Incident.objects.create(title="Card down", provider=gateway, automatic=True)
    Incident.objects.filter(pk=incident.pk).update(created_at=at(2, 10, 5), resolved_at=at(2, 11), status="resolved")
    gateway.sla_target_pct = Decimal("99.5")
    gateway.save()
    answer = admin_client.get("/admin/sla/", {"month": "2026-11", "format": "pdf"})
    assert answer["Content-Type"] == "application/pdf" and answer.content.startswith(b"%PDF")
    text = pdf_text(answer.content)
    row = next(r for r in providers_sla("2026-11") if r.provider == gateway)
    assert settings.SHOP_NAME in text and "2026-11" in text and settings.TIME_ZONE in text
    assert "Card" in text and f"({row.uptime_pct})" in text and "5 failures in 30 s" in text
    assert "(99.5)" in text and f"({row.budget_minutes})" in text and "(75.0)" in text  # contract, budget, error rate
    # The window (10:00-11:00 shop time), its first and last failed call (10:00, 10:25) and the incident.
    assert "2026-11-02 10:00:00" in text and "2026-11-02 11:00:00" in text and "2026-11-02 10:25:00" in text
    assert f"#{incident.pk} Card down" in text  # and a link to its page on the public status page:
    assert f"/URI ({settings.SITE_URL.rstrip('/')}/status/incidents/{incident.pk}/)".encode() in answer.content
    page = admin_client.get("/admin/sla/", {"month": "2026-11"}).content.decode()
    assert 'id="sf-sla-pdf"' in page and "format=pdf" in page


def test_staff_only(client, django_user_model):
    assert client.get("/admin/sla/").status_code == 302
    client.force_login(django_user_model.objects.create_user("shopper", password="x"))
    answer = client.get("/admin/sla/", {"month": "2026-11", "format": "pdf"})
    assert answer.status_code == 302 and answer.get("Content-Type") != "application/pdf"


def test_no_csv_cell_starts_a_spreadsheet_formula(admin_client):
    """A provider's error text and an incident's title come from outside the shop's control."""
    provider = Provider.objects.create(kind="payment", code="card", adapter="stripe", name="Card")
    event(provider, "open", at(2, 10), '=HYPERLINK("http://evil.example","details")')
    event(provider, "closed", at(2, 11))
    incident = Incident.objects.create(title="@SUM(1+1)", provider=provider, automatic=True)
    Incident.objects.filter(pk=incident.pk).update(created_at=at(2, 10, 5))

    rows = list(csv.reader(io.StringIO(admin_client.get("/admin/sla/", {"month": "2026-11", "format": "csv"})
                                       .content.decode())))
    window = dict(zip(rows[rows.index([]) + 1], rows[rows.index([]) + 2], strict=True))
    assert window["reason"] == """'=HYPERLINK("http://evil.example","details")"""
    assert window["incident_title"] == "'@SUM(1+1)"
