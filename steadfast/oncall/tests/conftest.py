"""The message fakes (SMTP, SMS.ru, Telegram) and their notify providers, shared with the notify tests."""

from steadfast.notify.tests.conftest import (  # noqa: F401
    email_channel,
    sms_channel,
    smsru,
    smtp,
    telegram,
    telegram_channel,
)
