"""SMS delivery receipts: the gateways' fakes push them over HTTP to the running shop, signed as each gateway does.
Delivered -> the message row says so; not delivered -> the chain moves on (Telegram); forged -> refused, no change."""

import httpx
import pytest

from steadfast.notify.sms_receipts import twilio_signature
from steadfast.notify.tasks import outbox_sweep
from steadfast.notify.tests.conftest import chain, fresh, message_add
from steadfast.providers.models import Provider
from steadfast.providers.secrets import provider_secret_env
from steadfast.testing import wait_until

pytestmark = pytest.mark.django_db(transaction=True)
CALLBACK_SECRET = "smsru-callback-0123456789abcdef"
ADDRESSES = {"sms": "+48 600 100 200", "telegram": "555"}


@pytest.fixture
def shop(live_server, settings):
    settings.SITE_URL = live_server.url  # Twilio's StatusCallback and its signature are built from it
    return live_server


@pytest.fixture
def smsru_receipts(shop, sms_channel, telegram_channel, smsru, monkeypatch):
    monkeypatch.setenv(provider_secret_env("smsru", "callback_secret"), CALLBACK_SECRET)
    smsru.callback_url = f"{shop.url}/notify/receipts/smsru/smsru/{CALLBACK_SECRET}/"
    smsru.receipts = True
    Provider.objects.filter(code="email").update(enabled=False)
    chain("customer", "sms,telegram")
    return smsru


@pytest.fixture
def twilio_receipts(shop, twilio_channel, telegram_channel, twilio):
    Provider.objects.filter(code__in=["email", "smsru"]).update(enabled=False)
    twilio.receipts = True
    chain("customer", "sms,telegram")
    return twilio


def _log(message):
    return [f"{d.channel}:{d.outcome}" for d in fresh(message).deliveries.order_by("pk")]


def test_smsru_delivered_receipt_marks_the_message_delivered(smsru_receipts, telegram):
    message = message_add("r1", addresses=ADDRESSES)
    assert outbox_sweep() == 1
    wait_until(lambda: smsru_receipts.callbacks, describe="SMS.ru's receipt to be answered by the shop")
    assert smsru_receipts.callbacks == [("000000-1:103", 200)] and fresh(message).delivered_at
    assert _log(message) == ["sms:sent", "sms:delivered"] and fresh(message).status == "sent"
    assert telegram.messages == []


def test_smsru_failed_receipt_moves_the_message_on_to_telegram(smsru_receipts, telegram):
    smsru_receipts.undeliverable.add("48600100200")
    message = message_add("r2", addresses=ADDRESSES)
    assert outbox_sweep() == 1
    wait_until(lambda: fresh(message).status == "pending", describe="the failed receipt to put the SMS back")
    row = fresh(message)
    assert row.refused == ["sms"] and "107" in row.last_error and row.delivered_at is None
    assert outbox_sweep() == 1
    assert [m["to"] for m in telegram.messages] == ["555"] and len(smsru_receipts.messages) == 1
    assert _log(message) == ["sms:sent", "sms:undelivered", "telegram:sent"]


def test_forged_smsru_callbacks_change_nothing(smsru_receipts, shop):
    smsru_receipts.receipts = False
    message = message_add("r3", addresses=ADDRESSES)
    assert outbox_sweep() == 1
    entry = "sms_status\n000000-1\n107\n1764500000"
    wrong_secret = httpx.post(f"{shop.url}/notify/receipts/smsru/smsru/guessed/", data={"data[0]": entry})
    bad_hash = httpx.post(smsru_receipts.callback_url, data={"data[0]": entry, "hash": "0" * 64})
    assert (wrong_secret.status_code, bad_hash.status_code) == (403, 403)
    unknown_id = httpx.post(smsru_receipts.callback_url, data={"data[0]": "sms_status\n999999-9\n107\n1"})
    assert unknown_id.text == "100"  # answered (SMS.ru would repeat it forever) but about nobody we know
    assert _log(message) == ["sms:sent"] and fresh(message).status == "sent"


def test_twilio_delivered_and_undelivered_receipts(twilio_receipts, telegram):
    delivered = message_add("t1", addresses=ADDRESSES)
    twilio_receipts.undeliverable.add("+48600100201")
    failed = message_add("t2", addresses={"sms": "+48600100201", "telegram": "556"})
    assert outbox_sweep() == 2
    wait_until(lambda: len(twilio_receipts.callbacks) == 2, describe="Twilio's two status callbacks answered")
    assert sorted(status for _what, status in twilio_receipts.callbacks) == [204, 204]
    assert _log(delivered) == ["sms:sent", "sms:delivered"]
    assert "undelivered 30003" in fresh(failed).last_error
    assert outbox_sweep() == 1 and [m["to"] for m in telegram.messages] == ["556"]


def test_a_forged_twilio_callback_is_refused(twilio_receipts, shop):
    twilio_receipts.receipts = False
    message = message_add("t3", addresses=ADDRESSES)
    assert outbox_sweep() == 1
    sid = fresh(message).deliveries.get(outcome="sent").reference
    url = f"{shop.url}/notify/receipts/twilio/twilio/"
    fields = {"MessageSid": sid, "MessageStatus": "undelivered"}
    forged = twilio_signature("not-the-token", url, {k: [v] for k, v in fields.items()})
    assert httpx.post(url, data=fields, headers={"X-Twilio-Signature": forged}).status_code == 403
    assert httpx.post(url, data=fields).status_code == 403
    assert _log(message) == ["sms:sent"] and fresh(message).status == "sent"
    good = twilio_signature(twilio_receipts.auth_token, url, {k: [v] for k, v in fields.items()})
    assert httpx.post(url, data=fields, headers={"X-Twilio-Signature": good}).status_code == 204
    assert fresh(message).status == "pending"  # the same request, signed: believed
