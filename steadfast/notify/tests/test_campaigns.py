"""Promotional e-mail: held automatically while the shop is degraded or closed, resumed or rescheduled by staff,
e-mail only, one-click unsubscribe."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from steadfast.notify.campaigns import campaigns_tick, newsletter_subscribe
from steadfast.notify.models import Campaign, NewsletterSubscriber, OutboxMessage
from steadfast.notify.tasks import outbox_sweep
from steadfast.notify.tests.conftest import time_passes
from steadfast.status.services import shop_mode_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscribers(db):
    return [newsletter_subscribe(f"fan{n}@example.com", "en") for n in range(3)]


@pytest.fixture
def friday(db):
    return Campaign.objects.create(subject="Friday: 20 % off boots", body="All boots 20 % off until Sunday.",
                                   scheduled_at=timezone.now() - timedelta(minutes=1))


def _changelist_action(client, action, *campaigns):
    return client.post(reverse("admin:notify_campaign_changelist"),
                       {"action": action, "_selected_action": [c.pk for c in campaigns]}, follow=True)


def test_a_due_campaign_is_held_while_the_shop_is_degraded_and_sent_when_staff_resume(
        settings, admin_client, channels, smtp, subscribers, friday):
    settings.STAFF_ALERT_EMAILS = ["ops@example.com"]
    shop_mode_set("degraded", reason="card payments down")
    assert campaigns_tick() == [f"{friday.pk}:held"]
    friday.refresh_from_db()
    assert friday.status == "held" and friday.held_reason == "Degraded"
    assert not OutboxMessage.objects.filter(kind="campaign").exists()
    assert OutboxMessage.objects.filter(kind="staff_campaign").count() == 1
    assert campaigns_tick() == []  # held: nothing more happens by itself, even when the shop opens again

    page = _changelist_action(admin_client, "send_now", friday)
    assert "still held, the shop is not open" in page.content.decode()
    shop_mode_set("open", reason="fixed")
    page = _changelist_action(admin_client, "send_now", friday)
    assert "being sent" in page.content.decode()
    assert outbox_sweep() == 4  # the three offers, and the staff alert about the hold
    assert sorted(m["to"] for m in smtp.messages if m["key"].startswith("campaign:")) == [
        f"fan{n}@example.com" for n in range(3)]
    token = NewsletterSubscriber.objects.get(email="fan0@example.com").token
    first = next(m for m in smtp.messages if m["to"] == "fan0@example.com")
    assert first["list_unsubscribe"] == f"<{settings.SITE_URL}/newsletter/unsubscribe/{token}/>"
    assert "Unsubscribe:" in first["text"] and first["subject"] == "Friday: 20 % off boots"


def test_queued_messages_are_held_when_the_shop_degrades_mid_send_and_rescheduled_by_staff(
        admin_client, channels, smtp, subscribers, friday):
    assert campaigns_tick() == [f"{friday.pk}:queued"]
    shop_mode_set("catalog_only", reason="web host trouble")
    assert outbox_sweep() == 0  # none of the offers; the worker holds them and alerts staff
    assert outbox_sweep() == 1 and [m["key"].split(":")[0] for m in smtp.messages] == ["staff_campaign"]
    assert set(OutboxMessage.objects.filter(kind="campaign").values_list("status", flat=True)) == {"held"}
    friday.refresh_from_db()
    assert friday.status == "held"
    assert OutboxMessage.objects.filter(kind="campaign", attempts__gt=0).count() == 0  # holding is not failing

    shop_mode_set("open", reason="fixed")
    time_passes()
    assert outbox_sweep() == 0  # still held: staff decide, not the clock
    later = timezone.now() + timedelta(hours=2)
    admin_client.post(reverse("admin:notify_campaign_change", args=[friday.pk]), {
        "subject": friday.subject, "body": friday.body, "scheduled_at_0": later.strftime("%Y-%m-%d"),
        "scheduled_at_1": later.strftime("%H:%M:%S")})
    friday.refresh_from_db()
    assert friday.status == "scheduled"
    assert campaigns_tick() == [] and campaigns_tick(now=later + timedelta(minutes=1)) == [f"{friday.pk}:queued"]
    time_passes()
    assert outbox_sweep() == 3 and len([m for m in smtp.messages if m["key"].startswith("campaign:")]) == 3


def test_a_campaign_never_falls_back_to_sms(channels, smtp, smsru, subscribers, friday):
    smtp.rejected.update(s.email for s in subscribers)
    campaigns_tick()
    outbox_sweep()
    assert smsru.messages == [] and set(OutboxMessage.objects.filter(kind="campaign").values_list(
        "status", flat=True)) == {"dead"}


def test_one_click_unsubscribe(channels, smtp, subscribers, friday):
    subscriber = subscribers[0]
    url = reverse("notify:unsubscribe", args=[subscriber.token])
    client = Client(enforce_csrf_checks=True)
    page = client.get(url)
    assert page.status_code == 200 and subscriber.email in page.content.decode()
    assert NewsletterSubscriber.objects.get(pk=subscriber.pk).unsubscribed_at is None  # a GET only shows the button
    answer = client.post(url, {"List-Unsubscribe": "One-Click"})  # what a mail client sends, no CSRF token
    assert answer.status_code == 200 and "You are unsubscribed" in answer.content.decode()
    assert client.get(reverse("notify:unsubscribe", args=["nope"])).status_code == 404
    campaigns_tick()
    assert outbox_sweep() == 2 and subscriber.email not in [m["to"] for m in smtp.messages]
