"""Admin and customer logins: lockout per account and per address (django-axes), staff alerted."""

import pytest
from django.core import mail
from django.test import Client

from steadfast.notify.chains import chain_for
from steadfast.notify.delivery import outbox_deliver
from steadfast.notify.models import OutboxMessage

pytestmark = pytest.mark.django_db
PASSWORD = "Corrugated-Lantern-42"


@pytest.fixture
def boss(django_user_model):
    return django_user_model.objects.create_superuser("boss", "boss@example.com", PASSWORD)


def admin_login(address, username, password):
    return Client(REMOTE_ADDR=address).post("/admin/login/?next=/admin/",
                                            {"username": username, "password": password})


def test_admin_login_locks_the_account_after_the_failure_limit_even_for_the_right_password(settings, boss):
    settings.AXES_FAILURE_LIMIT = 5
    statuses = [admin_login(f"198.51.100.{n}", "boss", "guess").status_code for n in range(5)]
    assert statuses == [200, 200, 200, 200, 429]  # five addresses, one account

    locked = admin_login("198.51.100.77", "boss", PASSWORD)
    assert locked.status_code == 429 and "Too many wrong passwords" in locked.content.decode()

    alerts = OutboxMessage.objects.filter(kind="staff_security_alert")  # the staff chain carries it
    assert [(a.recipient, a.addresses["email"]) for a in alerts] == [("boss@example.com", ["boss@example.com"])]
    assert chain_for(alerts[0].kind) == chain_for("staff_alert")  # one alert, not one per refused try
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox_deliver(alerts[0].pk)
    assert "Login locked out: boss" in mail.outbox[0].subject and "198.51.100.4" in mail.outbox[0].body


def test_one_address_guessing_many_accounts_is_locked_out(settings, boss, django_user_model):
    settings.AXES_FAILURE_LIMIT = 3
    django_user_model.objects.create_user("ann@example.com", "ann@example.com", PASSWORD)
    statuses = [Client(REMOTE_ADDR="203.0.113.5").post("/account/login/", {"username": f"u{n}@example.com",
                                                                           "password": "x"}).status_code
                for n in range(3)]
    assert statuses == [200, 200, 429]
    assert Client(REMOTE_ADDR="203.0.113.5").post(
        "/account/login/", {"username": "ann@example.com", "password": PASSWORD}).status_code == 429
    # Ann from her own address is not affected.
    assert Client(REMOTE_ADDR="203.0.113.6").post(
        "/account/login/", {"username": "Ann@Example.com ", "password": PASSWORD}).status_code == 302


def test_a_successful_login_resets_the_count(settings, boss):
    settings.AXES_FAILURE_LIMIT = 3
    assert admin_login("198.51.100.1", "boss", "guess").status_code == 200
    assert admin_login("198.51.100.1", "boss", "guess").status_code == 200
    assert admin_login("198.51.100.1", "boss", PASSWORD).status_code == 302
    assert admin_login("198.51.100.1", "boss", "guess").status_code == 200
    assert admin_login("198.51.100.1", "boss", "guess").status_code == 200
