"""Newsletter sign-up on the storefront: double opt-in through the outbox, consent recorded with its time and words;
campaigns reach only confirmed addresses; the campaigns' one-click unsubscribe ends it."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from steadfast.notify.campaigns import campaign_queue
from steadfast.notify.models import Campaign, NewsletterSubscriber, OutboxMessage
from steadfast.notify.tasks import outbox_sweep

pytestmark = pytest.mark.django_db


def _confirm_path(smtp, to):
    [mail] = smtp.received(to)
    return re.search(r"https?://[^/\s]+(/newsletter/confirm/[^/\s]+/)", mail["text"]).group(1)


def _campaign():
    return Campaign.objects.create(subject="Linen week", body="20 % off linen.", scheduled_at=timezone.now())


def test_without_consent_nothing_is_recorded_or_sent(client, channels):
    response = client.post("/newsletter/", {"email": "fan@example.com"})
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    bad = client.post("/newsletter/", {"email": "not-an-address", "consent": "on"})
    assert bad.status_code == 400
    assert not NewsletterSubscriber.objects.exists() and not OutboxMessage.objects.exists()


def test_double_opt_in_then_campaigns_then_one_click_unsubscribe(client, channels, smtp):
    before = timezone.now()
    page = client.post("/newsletter/", {"email": "Fan@Example.com", "consent": "on"})
    assert page.status_code == 200 and "we sent you an e-mail" in page.content.decode()
    subscriber = NewsletterSubscriber.objects.get(email="fan@example.com")
    assert subscriber.confirmed_at is None and subscriber.consent_source == "storefront"
    assert "I agree to receive news and offers" in subscriber.consent_text and subscriber.opted_in_at >= before

    campaign_queue(_campaign())
    assert not OutboxMessage.objects.filter(kind="campaign").exists()  # not confirmed: no offers

    assert outbox_sweep() == 1
    path = _confirm_path(smtp, "fan@example.com")
    assert "Yes, subscribe me" in client.get(path).content.decode()
    assert NewsletterSubscriber.objects.get(pk=subscriber.pk).confirmed_at is None  # opening the link is not consent
    assert "You are subscribed" in client.post(path).content.decode()
    confirmed = NewsletterSubscriber.objects.get(pk=subscriber.pk)
    assert confirmed.confirmed_at >= confirmed.opted_in_at

    campaign_queue(_campaign())
    assert OutboxMessage.objects.filter(kind="campaign", recipient="fan@example.com").count() == 1

    assert client.post("/newsletter/", {"email": "fan@example.com", "consent": "on"}).status_code == 200
    assert OutboxMessage.objects.filter(kind="newsletter_confirm").count() == 1  # on the list: nothing re-sent

    client.post(f"/newsletter/unsubscribe/{subscriber.token}/", {"List-Unsubscribe": "One-Click"})
    assert NewsletterSubscriber.objects.get(pk=subscriber.pk).unsubscribed_at is not None
    campaign_queue(_campaign())
    assert OutboxMessage.objects.filter(kind="campaign").count() == 1


def test_signing_up_again_after_unsubscribing_needs_a_new_confirmation(client, channels, smtp):
    client.post("/newsletter/", {"email": "fan@example.com", "consent": "on"})
    subscriber = NewsletterSubscriber.objects.get()
    NewsletterSubscriber.objects.filter(pk=subscriber.pk).update(
        confirmed_at=timezone.now() - timedelta(days=30), unsubscribed_at=timezone.now() - timedelta(days=1))
    client.post("/newsletter/", {"email": "fan@example.com", "consent": "on"})
    again = NewsletterSubscriber.objects.get()
    assert again.confirmed_at is None and again.unsubscribed_at is not None
    assert OutboxMessage.objects.filter(kind="newsletter_confirm").count() == 2
    campaign_queue(_campaign())
    assert not OutboxMessage.objects.filter(kind="campaign").exists()


def test_the_footer_links_to_the_sign_up(client):
    assert 'href="/newsletter/"' in client.get("/").content.decode()
