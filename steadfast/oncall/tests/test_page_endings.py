"""How pages end: the all-clear reaches everyone the page reached; staff switching a provider off mid-outage
resolves the outage's page; staff actions and security notices are "for information" (sent once, never
escalated); a page that is not open cannot be acknowledged. Time is passed in (now=), never slept."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client
from django.utils import timezone

from steadfast.notify.alerts import staff_alert_add
from steadfast.notify.models import OutboxMessage
from steadfast.notify.tasks import outbox_sweep
from steadfast.oncall.links import ack_token
from steadfast.oncall.models import AlertPage
from steadfast.oncall.pages import page_acknowledge, pages_escalate
from steadfast.providers.breaker import health_event_create

pytestmark = pytest.mark.django_db


def later(minutes):
    return timezone.now() + timedelta(minutes=minutes)


def mailed(subject_part=""):
    """Who got an e-mail with this in its subject, after the worker ran."""
    outbox_sweep()
    return [m.to for m in mail.outbox if subject_part in m.subject]


def take_out(gateway):
    health_event_create(gateway, "closed", "open", "3 calls in a row unavailable, last: 503")
    return AlertPage.objects.get(critical=True)


def test_the_all_clear_reaches_everyone_the_escalation_woke_and_the_staff_chain(rota, gateway):
    out = take_out(gateway)
    for minutes in (11, 22, 33):  # Bob, Cy, then everyone
        assert pages_escalate(now=later(minutes)) == 1
    health_event_create(gateway, "half_open", "closed", "trial call succeeded")
    back = AlertPage.objects.exclude(pk=out.pk).get()
    assert (back.state, AlertPage.objects.get(pk=out.pk).state) == ("info", "resolved")
    assert [(e.action, e.note) for e in back.events.all()] == [  # its history: who was told
        ("paged", "Ann"), ("paged", "Bob"), ("paged", "Cy"), ("everyone", "everyone (staff chain)")]
    assert mailed("working again") == [["ann@example.com"], ["bob@example.com"], ["cy@example.com"],
                                       ["ops@example.com"]]
    assert OutboxMessage.objects.filter(key=back.key).count() == 1  # the first one keeps the alert's key
    assert all("/admin/ack/" not in m.body for m in mail.outbox if "working again" in m.subject)  # nothing to take
    assert pages_escalate(now=later(99)) == 0


def test_the_all_clear_skips_whom_the_page_never_reached(rota, gateway):
    take_out(gateway)
    assert pages_escalate(now=later(11)) == 1  # Ann, then Bob; Cy and everyone were never paged
    health_event_create(gateway, "half_open", "closed", "trial call succeeded")
    assert mailed("working again") == [["ann@example.com"], ["bob@example.com"]]


def test_staff_switching_a_provider_off_mid_outage_resolves_its_page(rota, gateway):
    out = take_out(gateway)
    assert pages_escalate(now=later(11)) == 1  # Bob was woken too
    health_event_create(gateway, "open", "disabled", "staff switched it off")
    out.refresh_from_db()
    disabled = AlertPage.objects.exclude(pk=out.pk).get()
    assert out.state == "resolved" and out.closed_at
    assert (disabled.state, disabled.critical, disabled.episode) == ("info", False, out.episode)
    assert pages_escalate(now=later(22)) == 0 and pages_escalate(now=later(99)) == 0  # nobody else is woken
    assert mailed("switched off") == [["ann@example.com"], ["bob@example.com"]]  # both hear it is handled
    assert not mailed("is on it")


def test_staff_switching_a_healthy_provider_off_and_on_is_for_information(rota, gateway):
    health_event_create(gateway, "closed", "disabled", "maintenance")
    health_event_create(gateway, "disabled", "closed", "maintenance over")
    off, on = AlertPage.objects.order_by("pk")
    assert (off.state, on.state, off.critical, on.critical) == ("info", "info", False, False)
    assert pages_escalate(now=later(99)) == 0
    assert mailed("switched") == [["ann@example.com"], ["ann@example.com"]]  # the person on call, once each


def test_a_burst_of_login_lockouts_never_walks_the_rota(rota, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for n in range(3):  # an attacker from three addresses: three lockouts
        for _ in range(2):
            Client(REMOTE_ADDR=f"203.0.113.{n}").post("/account/login/", {"username": f"u{n}@example.com",
                                                                          "password": "guess"})
    pages = AlertPage.objects.filter(kind="staff_security_alert")
    assert pages.count() == 3 and {page.state for page in pages} == {"info"}
    assert not any(page.critical for page in pages)
    assert pages_escalate(now=later(11)) == 0 and pages_escalate(now=later(99)) == 0
    assert mailed("Login locked out") == [["ann@example.com"]] * 3  # Bob, Cy and the staff chain sleep on


def test_only_an_open_page_can_be_acknowledged(rota, gateway):
    out = take_out(gateway)
    health_event_create(gateway, "half_open", "closed", "trial call succeeded")
    back = AlertPage.objects.exclude(pk=out.pk).get()
    for page in (out, back):  # resolved, for information
        page.refresh_from_db()
        state = page.state
        assert page_acknowledge(page, who="Bob") is False
        page.refresh_from_db()
        assert (page.state, page.acknowledged_at, page.acknowledged_by) == (state, None, "")
    assert not OutboxMessage.objects.filter(kind="staff_page_ack").exists()  # nobody told "Bob is on it"


def test_a_reminder_is_for_information_and_its_link_acknowledges_the_outage(rota, gateway):
    ann = rota[0]
    out = take_out(gateway)
    episode_id = out.episode.removeprefix("provider:")
    with transaction.atomic():  # what providers/alerting.py sends while the outage goes on
        staff_alert_add(key=f"staff_alert:episode:{episode_id}:2", payload={
            "alert": "reminder", "kind": "payment", "subject": "[CardCo] still out of service (1 h)"})
    reminder = AlertPage.objects.exclude(pk=out.pk).get()
    assert reminder.state == "info" and reminder.episode == out.episode
    message = OutboxMessage.objects.get(key=reminder.key)
    assert message.payload["ack_url"].endswith(f"/admin/ack/{out.pk}/{ann.pk}/{ack_token(out.pk, str(ann.pk))}/")
