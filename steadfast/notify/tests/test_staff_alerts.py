import pytest
from django.contrib.auth.models import User
from django.core import mail

from steadfast.notify.models import OutboxMessage
from steadfast.notify.tasks import outbox_sweep
from steadfast.providers.breaker import health_event_create
from steadfast.providers.models import Provider
from steadfast.providers.services import provider_disable

pytestmark = pytest.mark.django_db


@pytest.fixture
def gateway():
    return Provider.objects.create(kind="payment", code="cardco", adapter="cash_on_delivery", name="CardCo")


def test_breaker_opening_e_mails_every_superuser(settings, gateway):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    User.objects.create_superuser("owner", "owner@example.com", "x-Long-Pass-1")
    User.objects.create_user("clerk", "clerk@example.com", "x-Long-Pass-1")  # not a superuser: no alert

    health_event_create(gateway, "closed", "open", "3 calls in a row unavailable, last: 503")
    outbox_sweep()

    assert [m.to for m in mail.outbox] == [["owner@example.com"]]
    assert "CardCo" in mail.outbox[0].subject and "OUT OF SERVICE" in mail.outbox[0].subject
    assert "3 calls in a row unavailable" in mail.outbox[0].body
    assert OutboxMessage.objects.get(kind="staff_alert").status == OutboxMessage.Status.SENT


def test_recovery_and_staff_switch_off_alert_the_configured_addresses(settings, gateway, admin_user):
    settings.STAFF_ALERT_EMAILS = ["ops@example.com", "owner@example.com"]
    health_event_create(gateway, "half_open", "closed", "trial call succeeded")
    provider_disable(gateway, admin_user, "maintenance window")

    # One alert per event for the whole staff (not one per person): the staff chain carries it.
    rows = OutboxMessage.objects.filter(kind="staff_alert").order_by("pk")
    assert [r.payload["to_state"] for r in rows] == ["closed", "disabled"]
    assert all(r.addresses["email"] == ["ops@example.com", "owner@example.com"] for r in rows)


def test_half_open_trial_is_not_an_alert(settings, gateway):
    settings.STAFF_ALERT_EMAILS = ["ops@example.com"]
    health_event_create(gateway, "open", "half_open", "cool-down over")
    assert not OutboxMessage.objects.filter(kind="staff_alert").exists()
