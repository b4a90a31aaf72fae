"""The message channels' fakes as `manage.py fakes run` and `make demo` start them: Telegram, SMS.ru, Twilio, Postmark,
Mailgun, each with the provider row it is registered as, its demo secrets, and its callbacks to the shop (bot
updates, SMS delivery receipts, Mailgun's signed events). What each received: http://127.0.0.1:<port>/__messages__.

In the demo the Postmark fake carries e-mail first (priority 50, before the file backend "email"), Mailgun second;
SMS goes to SMS.ru, then Twilio; Telegram customers link with the deep link of the bot "steadfast_demo_bot".
"""

from steadfast.providers.models import Provider
from steadfast.providers.secrets import provider_secret

DEMO_BOT = "steadfast_demo_bot"
CHANNEL_SECRETS = {
    "telegram": {"BOT_TOKEN": "123456:demo-telegram-token", "WEBHOOK_SECRET": "demo-telegram-webhook-secret"},
    "smsru": {"API_ID": "demo-smsru-api-id", "CALLBACK_SECRET": "demo-smsru-callback-secret"},
    "twilio": {"ACCOUNT_SID": "ACdemo00000000000000000000000000", "AUTH_TOKEN": "demo-twilio-auth-token"},
    "postmark": {"SERVER_TOKEN": "demo-postmark-server-token", "WEBHOOK_SECRET": "postmark:demo-webhook-password"},
    "mailgun": {"API_KEY": "demo-mailgun-api-key", "WEBHOOK_SECRET": "demo-mailgun-signing-key"},
}


def _secret(code, name):
    return provider_secret(Provider(code=code), name, CHANNEL_SECRETS[code][name])


def _telegram(port, shop_url):
    from steadfast.fakes.telegram import FakeTelegram

    return FakeTelegram(port=port, token=_secret("telegram", "BOT_TOKEN"), username=DEMO_BOT,
                        webhook_url=f"{shop_url}/notify/telegram/telegram/",
                        secret_token=_secret("telegram", "WEBHOOK_SECRET"))


def _smsru(port, shop_url):
    from steadfast.fakes.sms import FakeSmsRu

    secret = _secret("smsru", "CALLBACK_SECRET")
    return FakeSmsRu(port=port, api_id=_secret("smsru", "API_ID"), receipts=True,
                     callback_url=f"{shop_url}/notify/receipts/smsru/smsru/{secret}/")


def _twilio(port, shop_url):
    from steadfast.fakes.sms import FakeTwilio

    return FakeTwilio(port=port, account_sid=_secret("twilio", "ACCOUNT_SID"),
                      auth_token=_secret("twilio", "AUTH_TOKEN"),
                      receipts=True)  # to each message's StatusCallback (the shop's SITE_URL)


def _postmark(port, shop_url):
    from steadfast.fakes.esp import FakePostmark

    return FakePostmark(port=port, server_token=_secret("postmark", "SERVER_TOKEN"))


def _mailgun(port, shop_url):
    from steadfast.fakes.esp import FakeMailgun

    return FakeMailgun(port=port, api_key=_secret("mailgun", "API_KEY"),
                       signing_key=_secret("mailgun", "WEBHOOK_SECRET"),
                       webhook_url=f"{shop_url}/notify/webhooks/mailgun/", receipts=True)


def _row(adapter, name, priority, **config):
    return {"kind": "notify", "adapter": adapter, "name": name, "priority": priority, "config": config}


CHANNEL_FAKES = {
    "telegram": (8831, _telegram, _row("telegram", "Telegram bot", 100, bot_username=DEMO_BOT)),
    "smsru": (8832, _smsru, _row("smsru", "SMS (SMS.ru)", 100)),
    "twilio": (8833, _twilio, _row("twilio", "SMS (Twilio)", 110, from_number="+15005550006")),
    "postmark": (8834, _postmark, _row("email", "E-mail (Postmark)", 50,
                                       backend="anymail.backends.postmark.EmailBackend")),
    "mailgun": (8835, _mailgun, _row("email", "E-mail (Mailgun)", 60, backend="anymail.backends.mailgun.EmailBackend",
                                     sender_domain="mg.steadfast.example")),
}
