"""An ESP reports a hard bounce after it accepted the message: verified webhook, then the next channel."""

import base64

import pytest
from django.urls import reverse

from steadfast.notify.tasks import outbox_sweep
from steadfast.notify.tests.conftest import chain, fresh, message_add
from steadfast.providers.models import Provider
from steadfast.providers.secrets import provider_secret_env

pytestmark = pytest.mark.django_db
SECRET = "postmark-hook:s3cret-Long-Value"


@pytest.fixture
def esp_first(esp_channel, sms_channel, monkeypatch):
    Provider.objects.filter(code="email").update(enabled=False)  # the ESP is this shop's e-mail
    monkeypatch.setenv(provider_secret_env("esp", "webhook_secret"), SECRET)
    chain("customer", "email,sms")
    return esp_channel


def _bounce(client, message_id, auth=SECRET):
    body = {"RecordType": "Bounce", "Type": "HardBounce", "TypeCode": 1, "MessageID": message_id,
            "Email": "ann@example.com", "BouncedAt": "2026-11-30T12:00:00Z", "Description": "Unknown user",
            "ID": 42, "Details": "smtp;550 5.1.1 unknown user"}
    token = base64.b64encode(auth.encode()).decode()
    return client.post(reverse("notify:esp_webhook", args=["esp"]), body, content_type="application/json",
                       HTTP_AUTHORIZATION=f"Basic {token}")


def test_a_hard_bounce_sends_the_message_on_by_sms(client, esp_first, postmark, smsru):
    message = message_add("k1", addresses={"email": "ann@example.com", "sms": "+48 600 100 200"})
    assert outbox_sweep() == 1 and fresh(message).channel == "email"
    [sent] = fresh(message).deliveries.filter(outcome="sent")
    assert sent.reference.startswith("00000000-")  # Postmark's MessageID, kept for its webhooks

    assert _bounce(client, sent.reference, auth="postmark-hook:wrong").status_code in (400, 401, 403)
    assert fresh(message).status == "sent"  # an unverified event changes nothing

    assert _bounce(client, sent.reference).status_code == 200
    row = fresh(message)
    assert row.status == "pending" and row.refused == ["email"] and "bounced" in row.last_error
    assert outbox_sweep() == 1
    assert [m["to"] for m in smsru.messages] == ["48600100200"] and len(postmark.messages) == 1
    assert [f"{d.channel}:{d.outcome}" for d in fresh(message).deliveries.order_by("pk")] == [
        "email:skipped", "email:sent", "email:bounced", "sms:sent"]  # skipped: the disabled SMTP provider
    assert _bounce(client, sent.reference).status_code == 200  # a repeated webhook changes nothing more
    assert outbox_sweep() == 0 and len(smsru.messages) == 1
