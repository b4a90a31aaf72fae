"""Loopback fakes of two SMS gateways: SMS.ru and Twilio, with their delivery receipts.

    fake.invalid.add(number)          # refused at once as an invalid number
    fake.undeliverable.add(number)    # accepted, then a "not delivered" receipt
SMS.ru pushes receipts to `callback_url` (the address set in SMS.ru's account) as data[0]=
"sms_status\\n<id>\\n<code>\\n<time>" with hash=sha256(api_id + data entries); Twilio to each message's StatusCallback
with X-Twilio-Signature. Receipts are pushed only when `fake.receipts` is true (the demo, the receipt tests), so
other tests never POST anywhere.
"""

import base64
import hashlib
import hmac
import time
from urllib.parse import urlsplit

from steadfast.fakes.ledger import Ledger, form
from steadfast.fakes.server import FakeResponse


class FakeSmsRu(Ledger):
    """POST /sms/send api_id, to (comma-separated), msg, json=1; GET /my/balance."""

    def __init__(self, api_id="fake-sms-ru-api-id", callback_url="", receipts=False, **kwargs):
        super().__init__(**kwargs)
        self.api_id, self.callback_url, self.receipts = api_id, callback_url, receipts

    def handle(self, request):
        data, path = form(request), urlsplit(request.path).path
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
            sms_id = f"000000-{self._accept(to=number, text=data.get('msg', ''))}"
            answer[number] = {"status": "OK", "status_code": 100, "sms_id": sms_id}
            self.receipt(sms_id, 107 if number in self.undeliverable else 103)
        return FakeResponse(200, {"status": "OK", "status_code": 100, "sms": answer, "balance": 4122.56})

    def receipt(self, sms_id: str, status: int, force=False):
        if not self.callback_url or not (self.receipts or force):
            return
        entries = [f"sms_status\n{sms_id}\n{status}\n{int(time.time())}"]
        digest = hashlib.sha256((self.api_id + "".join(entries)).encode()).hexdigest()
        fields = {f"data[{index}]": entry for index, entry in enumerate(entries)}
        self.push(f"{sms_id}:{status}", self.callback_url, data={**fields, "hash": digest})


class FakeTwilio(Ledger):
    """POST /2010-04-01/Accounts/<sid>/Messages.json (basic auth) To, From, Body, StatusCallback."""

    def __init__(self, account_sid="ACfake000000000000000000000000000", auth_token="fake-auth-token",
                 receipts=False, **kwargs):
        super().__init__(**kwargs)
        self.account_sid, self.auth_token, self.receipts = account_sid, auth_token, receipts

    def handle(self, request):
        expected = "Basic " + base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if request.headers.get("Authorization") != expected:
            return FakeResponse(401, {"code": 20003, "message": "Authenticate", "status": 401})
        path = urlsplit(request.path).path
        if path == f"/2010-04-01/Accounts/{self.account_sid}.json":
            return FakeResponse(200, {"sid": self.account_sid, "status": "active"})
        if path != f"/2010-04-01/Accounts/{self.account_sid}/Messages.json":
            return FakeResponse(404, {"code": 20404, "message": "not found", "status": 404})
        data = form(request)
        number = data.get("To", "")
        if number in self.invalid or not number.startswith("+"):
            return FakeResponse(400, {"code": 21211, "message": f"The 'To' number {number} is not a valid phone "
                                                                "number.", "status": 400})
        sid = f"SM{self._accept(to=number, text=data.get('Body', '')):032d}"
        callback = data.get("StatusCallback", "")
        if callback and self.receipts:
            failed = number in self.undeliverable
            self.receipt(callback, sid, "undelivered" if failed else "delivered", "30003" if failed else "")
        return FakeResponse(201, {"sid": sid, "status": "queued", "to": number})

    def receipt(self, url: str, sid: str, status: str, error_code: str = ""):
        fields = {"MessageSid": sid, "MessageStatus": status, "AccountSid": self.account_sid, "ApiVersion":
                  "2010-04-01", **({"ErrorCode": error_code} if error_code else {})}
        signed = url + "".join(name + fields[name] for name in sorted(fields))
        signature = base64.b64encode(hmac.new(self.auth_token.encode(), signed.encode(), hashlib.sha1).digest())
        self.push(f"{sid}:{status}", url, data=fields, headers={"X-Twilio-Signature": signature.decode()})
