"""Fixtures for the message tests: real servers on 127.0.0.1 (SMTP through aiosmtpd, Telegram, SMS.ru, Twilio fakes)
and the notify providers pointing at them."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from steadfast.fakes.messaging import FakeMailgun, FakePostmark, FakeSmsRu, FakeTelegram, FakeTwilio
from steadfast.fakes.smtp import FakeSMTP
from steadfast.notify.channels.email import SMTP_BACKEND
from steadfast.notify.models import MessageChain, OutboxMessage
from steadfast.notify.outbox import outbox_add
from steadfast.providers.models import Provider
from steadfast.providers.secrets import provider_secret_env

TIMEOUTS = {"connect_timeout": 2, "read_timeout": 3}  # generous: the machine is shared
PAYLOAD = {"number": "SF-000042", "token": "tok-42", "name": "Ann Nowak", "language": "en"}


@pytest.fixture
def smtp():
    fake = FakeSMTP().start()
    yield fake
    fake.stop()


@pytest.fixture
def telegram():
    fake = FakeTelegram().start()
    yield fake
    fake.stop()


@pytest.fixture
def smsru():
    fake = FakeSmsRu().start()
    yield fake
    fake.stop()


@pytest.fixture
def twilio():
    fake = FakeTwilio().start()
    yield fake
    fake.stop()


def _provider(code, adapter, priority, **config):
    provider, _ = Provider.objects.update_or_create(code=code, defaults={
        "kind": Provider.Kind.NOTIFY, "adapter": adapter, "name": code, "priority": priority, "enabled": True,
        "config": {**TIMEOUTS, **config}})
    return provider


@pytest.fixture
def email_channel(db, smtp):
    return _provider("email", "email", 100, backend=SMTP_BACKEND, host="127.0.0.1", port=smtp.port)


@pytest.fixture
def telegram_channel(db, telegram, monkeypatch):
    monkeypatch.setenv(provider_secret_env("telegram", "bot_token"), telegram.token)
    return _provider("telegram", "telegram", 100, api_base=telegram.url)


@pytest.fixture
def sms_channel(db, smsru, monkeypatch):
    monkeypatch.setenv(provider_secret_env("smsru", "api_id"), smsru.api_id)
    return _provider("smsru", "smsru", 100, api_base=smsru.url)


@pytest.fixture
def twilio_channel(db, twilio, monkeypatch):
    monkeypatch.setenv(provider_secret_env("twilio", "account_sid"), twilio.account_sid)
    monkeypatch.setenv(provider_secret_env("twilio", "auth_token"), twilio.auth_token)
    return _provider("twilio", "twilio", 200, api_base=twilio.url, from_number="+15005550006")


@pytest.fixture
def channels(email_channel, sms_channel, telegram_channel):
    """E-mail (SMTP), SMS (SMS.ru) and Telegram, each on its own fake."""
    return {"email": email_channel, "sms": sms_channel, "telegram": telegram_channel}


def chain(name, channels):
    MessageChain.objects.update_or_create(name=name, defaults={"channels": channels})


def message_add(key, kind="order_confirmation", addresses=None, payload=None, **fields) -> OutboxMessage:
    """Write a message as a caller does: inside its transaction."""
    addresses = addresses or {"email": "ann@example.com"}
    with transaction.atomic():
        message = outbox_add(key=key, kind=kind, recipient=addresses.get("email", "ann"), payload=payload or PAYLOAD,
                             addresses=addresses)
    if fields:
        OutboxMessage.objects.filter(pk=message.pk).update(**fields)
    return OutboxMessage.objects.get(pk=message.pk)


def time_passes(*messages):
    """The test's clock: whatever backoff the messages were given is over now."""
    ids = [m.pk for m in messages] or OutboxMessage.objects.values_list("pk", flat=True)
    OutboxMessage.objects.filter(pk__in=list(ids)).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def fresh(message) -> OutboxMessage:
    return OutboxMessage.objects.get(pk=message.pk)


@pytest.fixture
def postmark():
    fake = FakePostmark().start()
    yield fake
    fake.stop()


@pytest.fixture
def esp_channel(db, postmark, monkeypatch):
    monkeypatch.setenv(provider_secret_env("esp", "server_token"), postmark.server_token)
    return Provider.objects.create(kind="notify", code="esp", adapter="email", name="Postmark", config={
        "backend": "anymail.backends.postmark.EmailBackend", "api_base": postmark.url, "connect_timeout": 2,
        "read_timeout": 3})


@pytest.fixture
def mailgun():
    fake = FakeMailgun().start()
    yield fake
    fake.stop()


@pytest.fixture
def mailgun_channel(db, mailgun, monkeypatch):
    """A second ESP: Mailgun (anymail), after Postmark in priority; its webhook signing key as the webhook secret."""
    monkeypatch.setenv(provider_secret_env("mailgun", "api_key"), mailgun.api_key)
    monkeypatch.setenv(provider_secret_env("mailgun", "webhook_secret"), mailgun.signing_key)
    return _provider("mailgun", "email", 300, backend="anymail.backends.mailgun.EmailBackend",
                     api_base=f"{mailgun.url}/v3", sender_domain="mg.shop.example")
