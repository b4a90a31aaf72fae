"""Loopback fakes of the message channels, in one place for tests and `manage.py fakes run`.

Telegram (fakes/telegram.py), SMS.ru and Twilio (fakes/sms.py), Postmark and Mailgun (fakes/esp.py), and a webhook
sink for Apprise targets. Each keeps a ledger of the messages it accepted (fakes/ledger.py) with fault switches on
top of FakeServer's (status 5xx/429, hang, reset, slow, malformed):
    fake.blocked.add(chat_id)       # Telegram: 403 "bot was blocked by the user" for that chat
    fake.invalid.add(number)        # SMS.ru / Twilio: that number is refused as invalid
    fake.set_fault("status", status=429)
"""

import json
from urllib.parse import urlsplit

from steadfast.fakes.esp import FakeMailgun, FakePostmark
from steadfast.fakes.ledger import Ledger, form
from steadfast.fakes.server import FakeResponse
from steadfast.fakes.sms import FakeSmsRu, FakeTwilio
from steadfast.fakes.telegram import FakeTelegram

__all__ = ["FakeMailgun", "FakePostmark", "FakeSmsRu", "FakeTelegram", "FakeTwilio", "FakeWebhookSink"]


class FakeWebhookSink(Ledger):
    """Takes any POST (Apprise json:// and form:// targets, chat webhooks) into the ledger."""

    def handle(self, request):
        if request.method != "POST":
            return super().handle(request)
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            data = form(request)
        self._accept(to=urlsplit(request.path).path, text=str(data.get("message") or data.get("body") or data),
                     title=str(data.get("title", "")))
        return FakeResponse(200, {"ok": True})
