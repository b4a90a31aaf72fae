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
from steadfast.oncall.models import AlertPage, OnCallPerson
from steadfast.oncall.pages import pages_escalate
from steadfast.providers.breaker import health_event_create

pytestmark = pytest.mark.django_db


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
    background = BACKGROUND
    with transaction.atomic():
        staff_alert_add(key="test:background", payload=background)
    health_event_create(gateway, "closed", "open", "3 calls in a row unavailable, last: 503")
    quiet_page, critical_page = AlertPage.objects.order_by("pk")
    assert not quiet_page.critical and critical_page.critical
    assert [e.note for e in quiet_page.events.all()] == ["Bob"]  # Ann sleeps through the non-critical one
    assert [e.note for e in critical_page.events.all()] == ["Ann"]  # and is woken for the critical one
    assert quiet_page.order == [ann.pk, _bob.pk, _cy.pk] and quiet_page.level == 1  # passed over, not dropped

    # Everyone asleep: a non-critical alert goes to the staff chain at once (the group chat), nobody is woken.
    OnCallPerson.objects.update(quiet_from=ann.quiet_from, quiet_until=ann.quiet_until)
    with transaction.atomic():
        staff_alert_add(key="test:background:2", payload=background)
    assert [e.action for e in AlertPage.objects.get(key="test:background:2").events.all()] == ["everyone"]
    assert OutboxMessage.objects.get(key="test:background:2").addresses == staff_addresses()


BACKGROUND = {"alert": "background", "kind": "payment", "subject": "[CardCo] background calls failing",
              "summary": "Refunds keep failing."}


def quiet_between(person, start_minutes, end_minutes):
    """Quiet hours from/until these minutes from now (on the person's clock, to the minute)."""
    local = timezone.localtime(timezone.now())
    person.quiet_from = (local + timedelta(minutes=start_minutes)).time().replace(second=0, microsecond=0)
    person.quiet_until = (local + timedelta(minutes=end_minutes)).time().replace(second=0, microsecond=0)
    person.save()


def test_quiet_hours_are_read_when_each_person_would_be_paged(rota):
    ann, bob, cy = rota
    quiet_between(bob, 5, 180)  # Bob's quiet hours begin before his step
    quiet_between(cy, -60, 15)  # Cy's end before his
    with transaction.atomic():
        staff_alert_add(key="test:background", payload=BACKGROUND)
    page = AlertPage.objects.get()
    assert page.order == [ann.pk, bob.pk, cy.pk]  # the whole order, whoever is quiet at the open
    assert pages_escalate(now=later(11)) == 1  # Bob asleep by now: passed over, Cy still quiet: everyone
    assert [(e.action, e.note) for e in page.events.all()] == [
        ("paged", "Ann"), ("everyone", "everyone (staff chain)")]

    AlertPage.objects.all().delete()
    with transaction.atomic():
        staff_alert_add(key="test:background:2", payload=BACKGROUND)
    page = AlertPage.objects.get()
    assert pages_escalate(now=later(16)) == 1  # Bob asleep; Cy's quiet hours are over: Cy is paged
    assert [e.note for e in page.events.all()] == ["Ann", "Cy"]
    assert [to for to, _subject in mailed()] == [["ann@example.com"], ["ops@example.com"], ["ann@example.com"],
                                                 ["cy@example.com"]]


def test_critical_alerts_page_people_in_their_quiet_hours_at_every_step(rota, gateway):
    _ann, bob, _cy = rota
    quiet_between(bob, 5, 180)
    health_event_create(gateway, "closed", "open", "3 calls in a row unavailable, last: 503")
    assert pages_escalate(now=later(11)) == 1
    assert [e.note for e in AlertPage.objects.get().events.all()] == ["Ann", "Bob"]


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
