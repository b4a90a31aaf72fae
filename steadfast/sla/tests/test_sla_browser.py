"""The SLA report as staff see it in Chromium: each provider's contract figure with the way to change it, and every
downtime window with its evidence. STEADFAST_SHOTS_DIR=/some/dir keeps a screenshot
(docs/screenshots/sla-report.png)."""

import os
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from steadfast.providers.models import Provider
from steadfast.sla.tests.test_sla_report import attempt, event
from steadfast.status.incident_models import Incident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("STEADFAST_SHOTS_DIR", "")


def last_month():
    return timezone.localdate().replace(day=1) - timedelta(days=1)  # a whole month, all of it in the past


def at(day, hour, minute=0):
    return timezone.make_aware(datetime(last_month().year, last_month().month, day, hour, minute))


def test_staff_read_targets_and_evidence_and_follow_the_link_to_change_a_target(page, django_user_model):
    card = Provider.objects.create(kind="payment", code="card", adapter="stripe", name="Card payments",
                                   sla_target_pct=Decimal("99.95"))
    courier = Provider.objects.create(kind="shipping", code="courier", adapter="cdek", name="Courier",
                                      sla_target_pct=Decimal("99.0"))
    event(card, "open", at(1, 2), "5 failures in 30 s")
    event(card, "closed", at(1, 2, 40), "trial succeeded")
    for minute in (0, 7, 21):
        attempt(card, "unavailable", at(1, 2, minute))
    incident = Incident.objects.create(title="Card payments unavailable", provider=card, automatic=True)
    Incident.objects.filter(pk=incident.pk).update(created_at=at(1, 2, 1), resolved_at=at(1, 2, 40),
                                                   status="resolved")
    event(courier, "open", at(1, 3), "3 unavailable in a row")
    event(courier, "closed", at(1, 3, 15), "probe succeeded")
    django_user_model.objects.create_superuser("boss", "boss@example.com", "boss-pass-123")
    page.goto(f"/admin/login/?next=/admin/sla/%3Fmonth%3D{last_month():%Y-%m}")
    page.fill("#id_username", "boss")
    page.fill("#id_password", "boss-pass-123")
    page.click("input[type=submit]")
    page.wait_for_url(lambda url: "/admin/sla/" in url)

    assert page.locator("#sf-sla-card .sf-sla-target").inner_text() == "99.95 %"
    assert page.locator("#sf-sla-courier .sf-sla-target").inner_text() == "99.0 %"
    assert "“contract uptime”" in page.locator("#sf-sla-target-help").inner_text()
    windows = page.locator("#sf-sla-windows tbody tr")
    card_row = windows.filter(has_text="Card payments").inner_text()
    assert "5 failures in 30 s" in card_row and "02:21:00" in card_row  # the last failed call, to the second
    assert page.locator(".sf-sla-incident").inner_text() == f"#{incident.pk} Card payments unavailable"
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "sla-report.png"), full_page=True)

    page.locator("#sf-sla-courier .sf-sla-target").click()
    page.wait_for_url(lambda url: f"/admin/providers/provider/{courier.pk}/change/" in url)
    assert page.get_by_label("contract uptime, %").input_value() == "99.000"
