"""What staff see, in Chromium: the acknowledge page an alert's link opens (the button, then who took it; no button
on an all-clear) and the admin's alert pages with their history. (docs/screenshots/oncall-*.png were taken by this
test.)"""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from steadfast.notify.tasks import outbox_sweep
from steadfast.oncall.links import ack_url
from steadfast.oncall.models import AlertPage, OnCallOverride, OnCallPerson
from steadfast.oncall.pages import pages_escalate
from steadfast.providers.breaker import health_event_create
from steadfast.providers.models import Provider
from steadfast.testing import admin_browser_login, browser_screenshot

pytestmark = pytest.mark.browser


def test_acknowledge_in_the_browser_then_the_history_in_the_admin(page, live_server, settings, django_user_model,
                                                                 tmp_path):
    settings.SITE_URL = live_server.url
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STAFF_ALERT_EMAILS = ["ops@example.com"]
    ann = OnCallPerson.objects.create(name="Ann Nowak", email="ann@example.com", position=1)
    OnCallPerson.objects.create(name="Bob Kowalski", email="bob@example.com", position=2)
    now = timezone.now()
    OnCallOverride.objects.create(person=ann, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1))
    gateway = Provider.objects.create(kind="payment", code="cardco", adapter="cash_on_delivery", name="CardCo")
    health_event_create(gateway, "closed", "open", "3 calls in a row unavailable, last: 503")
    pages_escalate(now=now + timedelta(minutes=11))
    outbox_sweep()
    link = re.search(r"http://\S+/admin/ack/\S+/", mail.outbox[1].body)[0]  # Bob's, after the escalation

    page.goto(link)
    assert "You are acknowledging as Bob Kowalski" in page.locator("#content-main").inner_text()
    browser_screenshot(page, tmp_path, "oncall-acknowledge.png")
    page.click("#sf-ack-button")
    assert "Acknowledged by Bob Kowalski" in page.locator("#sf-ack-done").inner_text()
    assert AlertPage.objects.get().acknowledged_by == "Bob Kowalski"
    outbox_sweep()  # Ann is told

    admin_browser_login(page, django_user_model)
    page.goto("/admin/oncall/alertpage/")
    row = page.locator("#result_list tbody tr").first.inner_text()
    assert "Acknowledged" in row and "Ann Nowak → Bob Kowalski" in row and "2 of 2 sent" in row
    browser_screenshot(page, tmp_path, "oncall-alert-pages.png")
    page.goto(f"/admin/oncall/alertpage/{AlertPage.objects.get().pk}/change/")
    history = page.locator("#sf-page-history").inner_text()
    for line in ("Paged", "Escalated", "Acknowledged", "Told who took it", "Sent"):
        assert line in history, history
    browser_screenshot(page, tmp_path, "oncall-alert-page-history.png")

    # The all-clear is for information: its page says there is nothing to do, with no button.
    health_event_create(gateway, "half_open", "closed", "trial call succeeded")
    page.goto(ack_url(AlertPage.objects.get(state="info").pk, str(ann.pk)))
    assert "it needs no action" in page.locator("#sf-ack-info").inner_text()
    assert page.locator("#sf-ack-button").count() == 0
    browser_screenshot(page, tmp_path, "oncall-acknowledge-info.png")
