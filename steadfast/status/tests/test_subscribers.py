import re

import pytest
from django.core import mail

from steadfast.notify.models import OutboxMessage
from steadfast.notify.tasks import outbox_sweep
from steadfast.status.incidents import incident_open, incident_update
from steadfast.status.models import IncidentStatus, Subscriber

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _link(body, kind):
    return re.search(rf"https?://\S+/status/{kind}/\S+", body).group(0).split("/status/", 1)[1]


def test_double_opt_in_then_incident_news_then_one_click_unsubscribe(client):
    response = client.post("/status/subscribe", {"email": "Ann@Example.com"})
    assert response.status_code == 200 and "Check your inbox" in response.content.decode()
    subscriber = Subscriber.objects.get(email="ann@example.com")
    assert not subscriber.active

    # Before confirmation, incident updates go to nobody.
    incident = incident_open("Card payments down", "The gateway does not answer.", ["website"], "major")
    assert not OutboxMessage.objects.filter(kind="status_incident").exists()

    outbox_sweep()
    [confirmation] = mail.outbox
    assert confirmation.to == ["ann@example.com"]
    confirm_path = "/status/" + _link(confirmation.body, "subscribe/confirm")
    # Opening the link (as a mail scanner does) only shows the button.
    assert "Confirm" in client.get(confirm_path).content.decode()
    subscriber.refresh_from_db()
    assert not subscriber.active
    assert "You are subscribed" in client.post(confirm_path).content.decode()
    subscriber.refresh_from_db()
    assert subscriber.active

    incident_update(incident, IncidentStatus.IDENTIFIED, "The certificate expired; a new one is on its way.")
    outbox_sweep()
    news = mail.outbox[-1]
    assert news.to == ["ann@example.com"] and "Card payments down" in news.subject
    assert "The certificate expired" in news.body

    # One-click unsubscribe: a mail client posts to the link, without any cookie or CSRF token.
    unsubscribe_path = "/status/" + _link(news.body, "unsubscribe")
    one_click = client.__class__(enforce_csrf_checks=True)
    assert one_click.post(unsubscribe_path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at is not None
    incident_update(incident, IncidentStatus.RESOLVED, "Fixed.")
    assert OutboxMessage.objects.filter(kind="status_incident").count() == 1


def test_bad_address_is_refused_and_nothing_is_stored(client):
    response = client.post("/status/subscribe", {"email": "not-an-address"})
    assert response.status_code == 400 and "valid e-mail" in response.content.decode()
    assert not Subscriber.objects.exists() and not OutboxMessage.objects.exists()


def test_unknown_token_is_not_found(client):
    assert client.get("/status/unsubscribe/nope").status_code == 404
    assert client.post("/status/subscribe/confirm/nope").status_code == 404


def test_status_page_offers_the_subscription_form(client):
    body = client.get("/status/").content.decode()
    assert 'action="/status/subscribe"' in body and 'name="email"' in body
