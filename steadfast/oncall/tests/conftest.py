"""The message fakes (SMTP, SMS.ru, Telegram) and their notify providers, shared with the notify tests; a rota of
three (Ann on call by an override, then Bob and Cy) and a payment provider to take out."""

from datetime import timedelta

import pytest
from django.utils import timezone

from steadfast.notify.tests.conftest import (  # noqa: F401
    email_channel,
    sms_channel,
    smsru,
    smtp,
    telegram,
    telegram_channel,
)
from steadfast.oncall.models import OnCallOverride, OnCallPerson
from steadfast.providers.models import Provider


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
