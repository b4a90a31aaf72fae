"""Customer e-mails come from the shop's address with a Reply-To, and name the country in the customer's
language."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import mail

from steadfast.checkout.services import order_place
from steadfast.notify.tasks import outbox_sweep


@pytest.mark.django_db
@pytest.mark.parametrize("language, country", [("en", "Poland"), ("pl", "Polska"), ("ru", "Польша")])
def test_confirmation_is_from_the_shop_with_reply_to_and_a_country_name(make_variant, details, settings,
                                                                        language, country):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DEFAULT_FROM_EMAIL = "Harbour Goods <orders@harbour.example>"
    settings.EMAIL_REPLY_TO = "help@harbour.example"
    order_place(lines=[(make_variant().pk, 1)], details=details, idempotency_key="from-1", language=language)
    outbox_sweep()
    [message] = mail.outbox
    assert message.from_email == "Harbour Goods <orders@harbour.example>"
    assert message.reply_to == ["help@harbour.example"]
    lines = message.body.splitlines()
    assert country in lines and "PL" not in lines


def test_the_sender_defaults_to_the_shop_name_and_address():
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DEFAULT_FROM_EMAIL")}
    env.update(DJANGO_SETTINGS_MODULE="steadfast.settings", SHOP_NAME="Harbour Goods, Gdańsk",
               SHOP_EMAIL="hello@harbour.example")
    code = ("import django; django.setup(); from django.conf import settings; "
            "print(settings.DEFAULT_FROM_EMAIL); print(settings.EMAIL_REPLY_TO)")
    result = subprocess.run([sys.executable, "-c", code], cwd=Path(django_settings.BASE_DIR), env=env,
                            capture_output=True, text=True)
    assert result.stdout.splitlines() == ['"Harbour Goods, Gdańsk" <hello@harbour.example>', "hello@harbour.example"]


def test_a_shop_email_that_is_no_address_stops_start_up_naming_it():
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(DJANGO_SETTINGS_MODULE="steadfast.settings", SHOP_EMAIL="shop at example")
    result = subprocess.run([sys.executable, "-c", "import django; django.setup()"],
                            cwd=Path(django_settings.BASE_DIR), env=env, capture_output=True, text=True)
    assert result.returncode != 0 and "Environment variable SHOP_EMAIL='shop at example' is invalid" in result.stderr
