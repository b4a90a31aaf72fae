"""The acknowledge link over real HTTP (a live shop): GET shows the alert and changes nothing (chat apps and mail
scanners prefetch links), POST acknowledges once, records who, stops the escalation and tells the others; a forged
or altered link is refused and changes nothing; an SMS delivery receipt shows as "delivered" in the page's history."""

import re
from datetime import timedelta

import httpx
import pytest
from django.core import mail
from django.utils import timezone

from steadfast.notify.models import MessageChain, OutboxMessage
from steadfast.notify.tasks import outbox_sweep
from steadfast.oncall.links import ack_url
from steadfast.oncall.models import AlertPage, OnCallOverride, OnCallPerson
from steadfast.oncall.pages import pages_escalate
from steadfast.providers.breaker import health_event_create
from steadfast.providers.models import Provider
from steadfast.providers.secrets import provider_secret_env
from steadfast.testing import wait_until

pytestmark = pytest.mark.django_db(transaction=True)
CALLBACK_SECRET = "smsru-callback-0123456789abcdef"


@pytest.fixture
def shop(live_server, settings):
    settings.SITE_URL = live_server.url
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STAFF_ALERT_EMAILS = ["ops@example.com"]
    settings.ONCALL_ESCALATE_MINUTES = 10
    return live_server


@pytest.fixture
def paged(shop):
    """A payment provider out: Ann (on call) paged, then Bob after 11 minutes."""
    ann = OnCallPerson.objects.create(name="Ann", email="ann@example.com", position=1)
    bob = OnCallPerson.objects.create(name="Bob", email="bob@example.com", position=2)
    OnCallPerson.objects.create(name="Cy", email="cy@example.com", position=3)
    now = timezone.now()
    OnCallOverride.objects.create(person=ann, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1))
    gateway = Provider.objects.create(kind="payment", code="cardco", adapter="cash_on_delivery", name="CardCo")
    health_event_create(gateway, "closed", "open", "3 calls in a row unavailable, last: 503")
    pages_escalate(now=now + timedelta(minutes=11))
    outbox_sweep()
    links = {m.to[0]: re.search(r"http://\S+/admin/ack/\S+/", m.body)[0] for m in mail.outbox}
    return AlertPage.objects.get(), links, ann, bob


def _history(page):
    return [(e.action, e.note) for e in page.events.order_by("pk")]


def test_get_shows_the_alert_post_acknowledges_once_and_stops_the_escalation(paged):
    page, links, _ann, bob = paged
    with httpx.Client(follow_redirects=True) as browser:
        shown = browser.get(links["bob@example.com"])
        assert shown.status_code == 200 and "CardCo" in shown.text and "sf-ack-button" in shown.text
        assert "You are acknowledging as <strong>Bob</strong>" in shown.text
        browser.get(links["bob@example.com"])  # a preview bot opening it again: still nothing
        page.refresh_from_db()
        assert page.state == "open" and not page.acknowledged_at

        token = browser.cookies["csrftoken"]
        done = browser.post(links["bob@example.com"], data={"csrfmiddlewaretoken": token},
                            headers={"Referer": links["bob@example.com"]})
        assert done.status_code == 200 and "Acknowledged by Bob" in done.text
        again = browser.post(links["ann@example.com"], data={"csrfmiddlewaretoken": token},
                             headers={"Referer": links["ann@example.com"]})
        assert "Acknowledged by Bob" in again.text  # the first acknowledgement stands
    page.refresh_from_db()
    assert (page.state, page.acknowledged_by, page.acknowledged_person) == ("acknowledged", "Bob", bob)
    assert pages_escalate(now=timezone.now() + timedelta(minutes=60)) == 0  # Cy and everyone are left alone
    outbox_sweep()
    told = [m for m in mail.outbox if "is on it" in m.subject]
    assert [m.to for m in told] == [["ann@example.com"]] and "Bob" in told[0].subject  # Ann hears Bob took it
    assert _history(page)[-2:] == [("acknowledged", "Bob"), ("told", "Ann")]


def test_forged_or_altered_links_are_refused_and_change_nothing(paged):
    page, links, ann, bob = paged
    before = _history(page)
    real = links["bob@example.com"]
    base, token = real.rstrip("/").rsplit("/", 1)
    forged = f"{base}/{'0' * len(token)}/"
    as_ann = real.replace(f"/{bob.pk}/", f"/{ann.pk}/")  # Bob's token on Ann's name
    as_everyone = real.replace(f"/{bob.pk}/", "/staff/")
    unknown = real.replace(f"/ack/{page.pk}/", f"/ack/{page.pk + 100}/")
    with httpx.Client() as browser:
        browser.get(real)  # a valid CSRF cookie: the refusals below are the link check's, not the CSRF guard's
        csrf = {"csrfmiddlewaretoken": browser.cookies["csrftoken"], "name": "Mallory"}
        for url in (forged, as_ann, as_everyone):
            assert browser.get(url).status_code == 403
            refused = browser.post(url, data=csrf, headers={"Referer": url})
            assert refused.status_code == 403 and "This acknowledge link is not valid" in refused.text
        shown = browser.get(forged)
        assert "This acknowledge link is not valid" in shown.text
        assert browser.get(unknown).status_code == 404
    page.refresh_from_db()
    assert page.state == "open" and not page.acknowledged_at and _history(page) == before


def test_the_link_to_everyone_asks_for_a_name(shop):
    gateway = Provider.objects.create(kind="payment", code="cardco", adapter="cash_on_delivery", name="CardCo")
    health_event_create(gateway, "closed", "open", "3 calls in a row unavailable, last: 503")  # empty rota
    outbox_sweep()
    link = re.search(r"http://\S+/admin/ack/\S+/", mail.outbox[0].body)[0]
    assert "/staff/" in link
    with httpx.Client(follow_redirects=True) as browser:
        assert 'name="name"' in browser.get(link).text
        token = browser.cookies["csrftoken"]
        nameless = browser.post(link, data={"csrfmiddlewaretoken": token}, headers={"Referer": link})
        assert "Enter your name" in nameless.text
        browser.post(link, data={"csrfmiddlewaretoken": token, "name": "Dana"}, headers={"Referer": link})
    page = AlertPage.objects.get()
    assert (page.acknowledged_by, page.acknowledged_person) == ("Dana", None)
    assert OutboxMessage.objects.get(kind="staff_page_ack").key == f"page:{page.pk}:took:all"


def test_an_sms_delivery_receipt_shows_as_delivered_in_the_history(shop, sms_channel, smsru, admin_client,
                                                                    monkeypatch):
    monkeypatch.setenv(provider_secret_env("smsru", "callback_secret"), CALLBACK_SECRET)
    smsru.callback_url = f"{shop.url}/notify/receipts/smsru/smsru/{CALLBACK_SECRET}/"
    smsru.receipts = True
    MessageChain.objects.update_or_create(name="staff", defaults={"channels": "sms,email"})
    OnCallPerson.objects.create(name="Ann", phone="+48600100201")
    gateway = Provider.objects.create(kind="payment", code="cardco", adapter="cash_on_delivery", name="CardCo")
    health_event_create(gateway, "closed", "open", "3 calls in a row unavailable, last: 503")
    assert outbox_sweep() == 1
    wait_until(lambda: smsru.callbacks, describe="SMS.ru's receipt to be answered by the shop")
    page = AlertPage.objects.get()
    assert "/admin/ack/" in smsru.messages[0]["text"]  # the SMS carries the link too
    listing = admin_client.get("/admin/oncall/alertpage/").content.decode()
    assert "1 of 1 sent, 1 delivered" in listing
    detail = " ".join(admin_client.get(f"/admin/oncall/alertpage/{page.pk}/change/").content.decode().split())
    history = detail[detail.index('id="sf-page-history"'):]
    paged, sent, delivered = (history.index(word) for word in ("Paged", "Sent", "Delivered (receipt)"))
    assert paged < sent < delivered and "SMS (smsru)" in history


def test_a_resolved_or_information_page_cannot_be_acknowledged(paged):
    page, links, _ann, _bob = paged
    link = links["bob@example.com"]
    with httpx.Client(follow_redirects=True) as browser:
        browser.get(link)
        token = browser.cookies["csrftoken"]
        gateway = Provider.objects.get(code="cardco")
        health_event_create(gateway, "half_open", "closed", "trial call succeeded")  # resolves the page
        done = browser.post(link, data={"csrfmiddlewaretoken": token}, headers={"Referer": link})
        assert done.status_code == 200 and "This alert is resolved" in done.text
        assert "sf-ack-button" not in done.text
        back = AlertPage.objects.get(state="info")  # the all-clear: for information
        info_link = ack_url(back.pk, str(_bob.pk))
        shown = browser.post(info_link, data={"csrfmiddlewaretoken": token}, headers={"Referer": info_link})
        assert "This alert is for information: it needs no action" in shown.text
        assert "sf-ack-button" not in shown.text
    page.refresh_from_db()
    back.refresh_from_db()
    assert (page.state, page.acknowledged_at, back.state, back.acknowledged_at) == ("resolved", None, "info", None)
    assert not OutboxMessage.objects.filter(kind="staff_page_ack").exists()  # nobody told "Bob is on it"
