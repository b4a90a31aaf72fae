"""Loopback fakes of two e-mail service providers' HTTP APIs, as django-anymail's backends call them.

Postmark: POST /email with X-Postmark-Server-Token; `fake.invalid` holds inactive (hard-bounced) addresses: 422
ErrorCode 406 at once.
Mailgun: POST /v3/<domain>/messages with basic auth api:<key>; it queues every message and reports later through
its signed webhooks (HMAC-SHA256 of timestamp + token with the webhook signing key), pushed to `webhook_url` when
`fake.receipts` is true: "delivered", or "failed" with severity "permanent" for `fake.undeliverable` addresses.
Both take the FakeServer faults (5xx, 429, hang, reset...) and answer the shop's probes: Postmark GET /server,
Mailgun GET /v3/domains/<domain> (404 for a domain not in `fake.domains`, when that set is given).
"""

import base64
import hashlib
import hmac
import secrets
import time
from email.parser import BytesParser
from email.policy import HTTP
from urllib.parse import urlsplit

from steadfast.fakes.ledger import Ledger, form
from steadfast.fakes.server import FakeRequest, FakeResponse


class FakePostmark(Ledger):
    def __init__(self, server_token="fake-postmark-token", **kwargs):
        super().__init__(**kwargs)
        self.server_token = server_token

    def handle(self, request):
        if request.headers.get("X-Postmark-Server-Token") != self.server_token:
            return FakeResponse(401, {"ErrorCode": 10, "Message": "The Server Token you provided was invalid."})
        if request.method == "GET" and urlsplit(request.path).path == "/server":
            return FakeResponse(200, {"ID": 1, "Name": "Steadfast (fake)", "DeliveryType": "Live"})
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


def _fields(request: FakeRequest) -> dict:
    """Form fields of a urlencoded or multipart/form-data body (anymail's Mailgun backend sends either)."""
    content_type = request.headers.get("Content-Type", "")
    if not content_type.startswith("multipart/"):
        return form(request)
    parsed = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + request.body)
    fields = {}
    for part in parsed.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name and part.get_filename() is None:
            fields[name] = part.get_content()
    return fields


class FakeMailgun(Ledger):
    def __init__(self, api_key="fake-mailgun-key", signing_key="fake-mailgun-signing-key", webhook_url="",
                 receipts=False, **kwargs):
        super().__init__(**kwargs)
        self.api_key, self.signing_key, self.webhook_url, self.receipts = api_key, signing_key, webhook_url, receipts
        self.domains = None  # a set of domain names: the probe of any other domain answers 404

    def handle(self, request):
        expected = "Basic " + base64.b64encode(f"api:{self.api_key}".encode()).decode()
        if request.headers.get("Authorization") != expected:
            return FakeResponse(401, "Forbidden")
        parts = urlsplit(request.path).path.strip("/").split("/")
        parts = parts[1:] if parts[:1] == ["v3"] else parts  # api_base with or without /v3
        if request.method == "GET" and len(parts) == 2 and parts[0] == "domains":
            if self.domains is not None and parts[1] not in self.domains:
                return FakeResponse(404, {"message": "Domain not found"})
            return FakeResponse(200, {"domain": {"name": parts[1], "state": "active"}})
        if request.method != "POST" or len(parts) != 2 or parts[1] != "messages":
            return FakeResponse(404, {"message": "not found"})
        data = _fields(request)
        to = data.get("to", "")
        if "@" not in to:
            return FakeResponse(400, {"message": "'to' parameter is not a valid address. please check documentation"})
        number = self._accept(to=to, text=data.get("text", ""), subject=data.get("subject", ""),
                              key=data.get("h:X-Steadfast-Key", ""))
        message_id = f"20261130120000.{number}.fake@{parts[0]}"
        self.event(message_id, to, failed=to.lower() in self.undeliverable)
        return FakeResponse(200, {"id": f"<{message_id}>", "message": "Queued. Thank you."})

    def signed(self, event_data: dict, signing_key: str | None = None, age: int = 0) -> dict:
        timestamp, token = str(int(time.time()) - age), secrets.token_hex(25)
        key = (self.signing_key if signing_key is None else signing_key).encode()
        signature = hmac.new(key, f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
        return {"signature": {"timestamp": timestamp, "token": token, "signature": signature},
                "event-data": event_data}

    def event(self, message_id: str, to: str, failed=False):
        if not (self.receipts and self.webhook_url):
            return
        event = {"event": "failed" if failed else "delivered", "id": secrets.token_hex(8), "timestamp": time.time(),
                 "recipient": to, "message": {"headers": {"message-id": message_id}}}
        if failed:
            event.update(severity="permanent", reason="bounce", **{"delivery-status": {
                "code": 550, "message": "5.1.1 The email account that you tried to reach does not exist",
                "description": ""}})
        self.push(f"{message_id}:{event['event']}", self.webhook_url, json=self.signed(event))
