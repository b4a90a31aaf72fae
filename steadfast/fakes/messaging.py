"""Loopback fakes of the message channels' HTTP APIs: Telegram Bot API, SMS.ru, Twilio; plus a webhook sink.

Each keeps a ledger of the messages it accepted (`fake.messages`: dicts with "to", "text" and the dedupe key when
the request carried one), which tests check for "delivered once" instead of our own rows. Fault switches on top of
FakeServer's (status 5xx/429, hang, reset, slow, malformed):
    fake.blocked.add(chat_id)       # Telegram: 403 "bot was blocked by the user" for that chat
    fake.invalid.add(number)        # SMS.ru / Twilio: that number is refused as invalid
    fake.set_fault("status", status=429)
"""

import itertools
import json
import threading
from urllib.parse import parse_qs, urlsplit

from steadfast.fakes.server import FakeRequest, FakeResponse, FakeServer


class _Ledger(FakeServer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.messages: list[dict] = []
        self.blocked: set[str] = set()
        self.invalid: set[str] = set()
        self._ids = itertools.count(1)
        self._ledger_lock = threading.Lock()

    def _accept(self, **message) -> int:
        with self._ledger_lock:
            self.messages.append(message)
            return next(self._ids)

    def received(self, to=None) -> list[dict]:
        return [m for m in self.messages if to is None or m["to"] == to]


def _form(request: FakeRequest) -> dict:
    fields = parse_qs(request.body.decode(), keep_blank_values=True)
    fields.update(parse_qs(urlsplit(request.path).query, keep_blank_values=True))
    return {name: values[-1] for name, values in fields.items()}


class FakeTelegram(_Ledger):
    """POST /bot<token>/sendMessage {"chat_id", "text"}; GET /bot<token>/getMe."""

    def __init__(self, token="123456:fake-token", **kwargs):
        super().__init__(**kwargs)
        self.token = token

    def handle(self, request):
        prefix = f"/bot{self.token}/"
        path = urlsplit(request.path).path
        if not path.startswith(prefix):
            return FakeResponse(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        method = path[len(prefix):]
        if method == "getMe":
            return FakeResponse(200, {"ok": True, "result": {"id": 1, "is_bot": True, "username": "steadfast_bot"}})
        if method != "sendMessage":
            return FakeResponse(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        data = request.json() if request.body.startswith(b"{") else _form(request)
        chat, text = str(data.get("chat_id", "")), data.get("text", "")
        if chat in self.blocked:
            return FakeResponse(403, {"ok": False, "error_code": 403,
                                      "description": "Forbidden: bot was blocked by the user"})
        if not chat or not text:
            return FakeResponse(400, {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"})
        message_id = self._accept(to=chat, text=text)
        return FakeResponse(200, {"ok": True, "result": {"message_id": message_id, "chat": {"id": chat},
                                                         "text": text}})


class FakeSmsRu(_Ledger):
    """POST /sms/send api_id, to (comma-separated), msg, json=1; GET /my/balance."""

    def __init__(self, api_id="fake-sms-ru-api-id", **kwargs):
        super().__init__(**kwargs)
        self.api_id = api_id

    def handle(self, request):
        data, path = _form(request), urlsplit(request.path).path
        if data.get("api_id") != self.api_id:
            return FakeResponse(200, {"status": "ERROR", "status_code": 200, "status_text": "Неправильный api_id"})
        if path == "/my/balance":
            return FakeResponse(200, {"status": "OK", "status_code": 100, "balance": 4762.58})
        if path != "/sms/send":
            return FakeResponse(404, {"status": "ERROR", "status_code": 404})
        answer = {}
        for number in [n for n in data.get("to", "").split(",") if n]:
            if number in self.invalid or not number.isdigit() or len(number) < 10:
                answer[number] = {"status": "ERROR", "status_code": 202, "status_text": "Неправильно указан номер"}
                continue
            sms_id = self._accept(to=number, text=data.get("msg", ""))
            answer[number] = {"status": "OK", "status_code": 100, "sms_id": f"000000-{sms_id}"}
        return FakeResponse(200, {"status": "OK", "status_code": 100, "sms": answer, "balance": 4122.56})


class FakeTwilio(_Ledger):
    """POST /2010-04-01/Accounts/<sid>/Messages.json (basic auth) To, From, Body."""

    def __init__(self, account_sid="ACfake000000000000000000000000000", auth_token="fake-auth-token", **kwargs):
        super().__init__(**kwargs)
        self.account_sid, self.auth_token = account_sid, auth_token

    def handle(self, request):
        import base64

        expected = "Basic " + base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if request.headers.get("Authorization") != expected:
            return FakeResponse(401, {"code": 20003, "message": "Authenticate", "status": 401})
        path = urlsplit(request.path).path
        if path == f"/2010-04-01/Accounts/{self.account_sid}.json":
            return FakeResponse(200, {"sid": self.account_sid, "status": "active"})
        if path != f"/2010-04-01/Accounts/{self.account_sid}/Messages.json":
            return FakeResponse(404, {"code": 20404, "message": "not found", "status": 404})
        data = _form(request)
        number = data.get("To", "")
        if number in self.invalid or not number.startswith("+"):
            return FakeResponse(400, {"code": 21211, "message": f"The 'To' number {number} is not a valid phone "
                                                                "number.", "status": 400})
        sid = self._accept(to=number, text=data.get("Body", ""))
        return FakeResponse(201, {"sid": f"SM{sid:032d}", "status": "queued", "to": number})


class FakeWebhookSink(_Ledger):
    """Takes any POST (Apprise json:// and form:// targets, chat webhooks) into the ledger."""

    def handle(self, request):
        if request.method != "POST":
            return super().handle(request)
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            data = _form(request)
        self._accept(to=urlsplit(request.path).path, text=str(data.get("message") or data.get("body") or data),
                     title=str(data.get("title", "")))
        return FakeResponse(200, {"ok": True})


class FakePostmark(_Ledger):
    """Postmark's send API as django-anymail's Postmark backend uses it: POST /email with X-Postmark-Server-Token.
    `fake.invalid` holds addresses Postmark reports as inactive (hard bounce): 422 with ErrorCode 406."""

    def __init__(self, server_token="fake-postmark-token", **kwargs):
        super().__init__(**kwargs)
        self.server_token = server_token

    def handle(self, request):
        if request.headers.get("X-Postmark-Server-Token") != self.server_token:
            return FakeResponse(401, {"ErrorCode": 10, "Message": "The Server Token you provided was invalid."})
        if request.method != "POST" or urlsplit(request.path).path != "/email":
            return FakeResponse(404, {"ErrorCode": 404, "Message": "not found"})
        data = request.json()
        to = data.get("To", "")
        if to.lower() in self.invalid:
            return FakeResponse(422, {"ErrorCode": 406, "Message": (
                "You tried to send to a recipient that has been marked as inactive.\n"
                f"Found inactive addresses: {to.lower()}.\n"
                "Inactive recipients are ones that have generated a hard bounce or a spam complaint.")})
        headers = {h.get("Name"): h.get("Value") for h in data.get("Headers") or []}
        number = self._accept(to=to, text=data.get("TextBody", ""), subject=data.get("Subject", ""),
                              key=headers.get("X-Steadfast-Key", ""))
        return FakeResponse(200, {"To": to, "SubmittedAt": "2026-11-30T12:00:00Z", "ErrorCode": 0, "Message": "OK",
                                  "MessageID": f"00000000-0000-0000-0000-{number:012d}"})
