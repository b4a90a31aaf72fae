"""A second ESP (Mailgun through django-anymail) behind the first (Postmark): one down, the other carries the
e-mail in the same run; Mailgun's signed webhooks (pushed by its fake to the running shop) say delivered or bounced,
and a bounce sends the message on by SMS. Forged or stale webhooks are refused and change nothing."""

import time

import httpx
import pytest

from steadfast.notify.tasks import outbox_sweep
from steadfast.notify.tests.conftest import chain, fresh, message_add
from steadfast.providers.models import Provider
from steadfast.testing import wait_until

pytestmark = pytest.mark.django_db(transaction=True)
ADDRESSES = {"email": "ann@example.com", "sms": "+48 600 100 200"}


@pytest.fixture
def esps(live_server, esp_channel, mailgun_channel, sms_channel, mailgun):
    Provider.objects.filter(code="email").update(enabled=False)  # the two ESPs are this shop's e-mail
    Provider.objects.filter(code="esp").update(priority=200)
    mailgun.webhook_url = f"{live_server.url}/notify/webhooks/mailgun/"
    chain("customer", "email,sms")
    return live_server


def _log(message):
    # (the SMTP provider "email", disabled here, exists only while the migration's rows do: left out)
    return [f"{d.provider}:{d.outcome}" for d in fresh(message).deliveries.order_by("pk") if d.provider != "email"]


def test_postmark_down_mailgun_carries_the_email_and_reports_delivery(esps, postmark, mailgun, smsru):
    postmark.set_fault("status", status=503)
    mailgun.receipts = True
    message = message_add("m1", addresses=ADDRESSES)
    assert outbox_sweep() == 1
    assert [m["to"] for m in mailgun.messages] == ["ann@example.com"] and postmark.messages == []
    assert mailgun.messages[0]["key"] == "m1" and mailgun.messages[0]["subject"]
    wait_until(lambda: mailgun.callbacks, describe="Mailgun's delivered webhook to be answered")
    assert mailgun.callbacks[0][1] == 200
    row = fresh(message)
    assert row.status == "sent" and row.channel == "email" and row.delivered_at is not None
    assert _log(message) == ["esp:failed", "mailgun:sent", "mailgun:delivered"]
    assert smsru.messages == []


def test_mailgun_down_postmark_carries_it(esps, postmark, mailgun):
    Provider.objects.filter(code="esp").update(priority=400)  # Mailgun first this time
    mailgun.set_fault("hang")
    message = message_add("m2", addresses=ADDRESSES)
    assert outbox_sweep() == 1
    assert len(postmark.messages) == 1 and mailgun.messages == []
    assert _log(message) == ["mailgun:failed", "esp:sent"]


def test_a_mailgun_permanent_failure_sends_the_message_on_by_sms(esps, postmark, mailgun, smsru):
    postmark.set_fault("status", status=503)
    mailgun.receipts = True
    mailgun.undeliverable.add("ann@example.com")
    message = message_add("m3", addresses=ADDRESSES)
    assert outbox_sweep() == 1
    wait_until(lambda: fresh(message).status == "pending", describe="the bounce webhook to put the message back")
    assert fresh(message).refused == ["email"] and "bounced" in fresh(message).last_error
    assert outbox_sweep() == 1
    assert [m["to"] for m in smsru.messages] == ["48600100200"] and len(mailgun.messages) == 1
    assert _log(message)[-2:] == ["mailgun:bounced", "smsru:sent"]


def test_forged_and_stale_mailgun_webhooks_change_nothing(esps, postmark, mailgun):
    postmark.set_fault("status", status=503)
    message = message_add("m4", addresses=ADDRESSES)
    assert outbox_sweep() == 1
    message_id = fresh(message).deliveries.get(outcome="sent").reference
    event = {"event": "failed", "severity": "permanent", "recipient": "ann@example.com", "timestamp": time.time(),
             "message": {"headers": {"message-id": message_id.strip("<>")}}}
    forged = mailgun.signed(event, signing_key="guessed-key")
    stale = mailgun.signed(event, age=3600)  # rightly signed, captured and replayed an hour later
    for body in (forged, stale):
        assert httpx.post(mailgun.webhook_url, json=body).status_code in (400, 403)
    assert fresh(message).status == "sent" and _log(message)[-1] == "mailgun:sent"
    assert httpx.post(mailgun.webhook_url, json=mailgun.signed(event)).status_code == 200
    assert fresh(message).status == "pending"  # the same event, signed now with the right key: believed
