"""The shop's own staff alerts paged through the rota: the person on call first, the next one after
ONCALL_ESCALATE_MINUTES without an acknowledgement, then everyone; quiet hours skip non-critical alerts only;
an empty rota keeps the one message to everyone. Time is passed in (now=), never slept."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from steadfast.notify.alerts import staff_addresses, staff_alert_add
from steadfast.notify.models import OutboxMessage
from steadfast.notify.tasks import outbox_sweep
from steadfast.oncall.models import AlertPage, OnCallOverride, OnCallPerson
from steadfast.oncall.pages import pages_escalate
from steadfast.providers.breaker import health_event_create
from steadfast.providers.models import Provider

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STAFF_ALERT_EMAILS = ["ops@example.com"]
    settings.ONCALL_ESCALATE_MINUTES = 10


@pytest.fixture
def rota(staff):
    """Ann has an override now; Bob and Cy follow in the escalation order."""
    ann = OnCallPerson.objects.create(name="Ann", email="ann@example.com", position=3)
    bob = OnCallPerson.objects.create(name="Bob", email="bob@example.com", position=1)
    cy = OnCallPerson.objects.create(name="Cy", email="cy@example.com", position=2)
    now = timezone.now()
    OnCallOverride.objects.create(person=ann, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=2))
    return ann, bob, cy


@pytest.fixture
def gateway():
    return Provider.objects.create(kind="payment", code="cardco", adapter="cash_on_delivery", name="CardCo")


def later(minutes):
    return timezone.now() + timedelta(minutes=minutes)


def mailed():
    """Who got which e-mail, after the worker ran."""
    outbox_sweep()
    return [(m.to, m.subject) for m in mail.outbox]


def ack_link(text):
    return re.search(r"https?://\S+/admin/ack/\S+/", text)[0]


def test_critical_alert_pages_the_person_on_call_then_the_next_then_everyone(rota, gateway):
    health_event_create(gateway, "closed", "open", "3 calls in a row unavailable, last: 503")
    page = AlertPage.objects.get()
    assert page.critical and page.state == "open" and "CardCo" in page.summary
    assert [to for to, _subject in mailed()] == [["ann@example.com"]]  # on call now: Ann, not the others
    assert "Acknowledge (tells the others you took it): http" in mail.outbox[0].body

    assert pages_escalate(now=later(5)) == 0  # within ONCALL_ESCALATE_MINUTES: Ann still has it
    assert pages_escalate(now=later(11)) == 1
    assert [to for to, _subject in mailed()][1:] == [["bob@example.com"]]  # then the escalation order
    assert "Not acknowledged: escalated to Bob." in mail.outbox[1].body
    assert pages_escalate(now=later(22)) == 1 and pages_escalate(now=later(33)) == 1
    assert [to for to, _subject in mailed()][2:] == [["cy@example.com"], ["ops@example.com"]]  # then everyone
    assert pages_escalate(now=later(99)) == 0  # everyone has it: nothing more
    page.refresh_from_db()
    assert [(e.action, e.note) for e in page.events.all()] == [
        ("paged", "Ann"), ("escalated", "Bob"), ("escalated", "Cy"), ("everyone", "everyone (staff chain)")]
    assert page.events.last().message.addresses == staff_addresses()  # the staff chain's addresses
    assert page.state == "open" and not page.acknowledged_at


def test_quiet_hours_skip_non_critical_alerts_only(rota, gateway, settings):
    ann, _bob, _cy = rota
    local = timezone.now().astimezone(timezone.get_default_timezone())
    ann.quiet_from, ann.quiet_until = (local - timedelta(hours=1)).time(), (local + timedelta(hours=1)).time()
    ann.save()
    background = {"alert": "background", "kind": "payment", "subject": "[CardCo] background calls failing",
                  "summary": "Refunds keep failing."}
    with transaction.atomic():
        staff_alert_add(key="test:background", payload=background)
    health_event_create(gateway, "closed", "open", "3 calls in a row unavailable, last: 503")
    quiet_page, critical_page = AlertPage.objects.order_by("pk")
    assert not quiet_page.critical and critical_page.critical
    assert [e.note for e in quiet_page.events.all()] == ["Bob"]  # Ann sleeps through the non-critical one
    assert [e.note for e in critical_page.events.all()] == ["Ann"]  # and is woken for the critical one
    assert quiet_page.order == [_bob.pk, _cy.pk]  # she is out of its escalation too

    # Everyone asleep: a non-critical alert goes to the staff chain at once (the group chat), nobody is woken.
    OnCallPerson.objects.update(quiet_from=ann.quiet_from, quiet_until=ann.quiet_until)
    with transaction.atomic():
        staff_alert_add(key="test:background:2", payload=background)
    assert [e.action for e in AlertPage.objects.get(key="test:background:2").events.all()] == ["paged"]
    assert OutboxMessage.objects.get(key="test:background:2").addresses == staff_addresses()


def test_nobody_on_the_rota_everyone_gets_it_once_with_an_acknowledge_link(staff, gateway):
    health_event_create(gateway, "closed", "open", "3 calls in a row unavailable, last: 503")
    with transaction.atomic():  # the same key again is the same alert
        staff_alert_add(key=AlertPage.objects.get().key, payload={"subject": "again"})
    assert AlertPage.objects.count() == 1 and OutboxMessage.objects.count() == 1
    message = OutboxMessage.objects.get()
    assert message.key.startswith("staff_alert:episode:")  # today's one row for the whole staff, same key
    assert [to for to, _subject in mailed()] == [["ops@example.com"]]
    assert "/admin/ack/" in ack_link(mail.outbox[0].body)
    assert pages_escalate(now=later(60)) == 0
    assert [e.note for e in AlertPage.objects.get().events.all()] == ["everyone (staff chain)"]


def test_the_provider_back_resolves_the_outage_page_and_stops_its_escalation(rota, gateway):
    health_event_create(gateway, "closed", "open", "3 calls in a row unavailable, last: 503")
    health_event_create(gateway, "half_open", "closed", "trial call succeeded")
    out, back = AlertPage.objects.order_by("pk")
    assert (out.state, back.state, back.critical) == ("resolved", "info", False)
    assert out.episode == back.episode and out.closed_at
    assert [e.action for e in out.events.all()] == ["paged", "resolved"]
    assert pages_escalate(now=later(60)) == 0
    assert [to for to, _subject in mailed()] == [["ann@example.com"], ["ann@example.com"]]
    assert "working again" in mail.outbox[1].subject


def test_alert_pages_list_filters_and_the_admin_action_acknowledges(rota, gateway, admin_client, admin_user):
    health_event_create(gateway, "closed", "open", "3 calls in a row unavailable, last: 503")
    page = AlertPage.objects.get()
    html = admin_client.get("/admin/oncall/alertpage/?state__exact=open").content.decode()
    assert "CardCo" in html and "Ann" in html
    answer = admin_client.post("/admin/oncall/alertpage/", {"action": "acknowledge", "_selected_action": [page.pk]},
                               follow=True)
    assert "1 alert(s) acknowledged by admin" in answer.content.decode()
    page.refresh_from_db()
    assert (page.state, page.acknowledged_by, page.acknowledged_user) == ("acknowledged", "admin", admin_user)
    told = OutboxMessage.objects.get(kind="staff_page_ack")
    assert told.addresses == {"email": "ann@example.com"}  # Ann had the page: she is told the admin took it
    assert pages_escalate(now=later(60)) == 0
    still_open = admin_client.get("/admin/oncall/alertpage/?state__exact=open").content.decode()
    assert "CardCo" not in still_open and "0 alert pages" in still_open


def test_the_periodic_task_escalates_what_is_due(rota, gateway):
    from steadfast.oncall.tasks import pages_escalate_task

    health_event_create(gateway, "closed", "open", "3 calls in a row unavailable, last: 503")
    pages_escalate_task.call_local()
    assert AlertPage.objects.get().level == 0  # not due yet
    AlertPage.objects.update(paged_at=timezone.now() - timedelta(minutes=10))
    pages_escalate_task.call_local()
    assert [e.note for e in AlertPage.objects.get().events.all()] == ["Ann", "Bob"]
