"""A receiver of the shop's signed accounting webhooks, verifying them as docs/accounting.md tells receivers to.

    fake = FakeWebhookReceiver(secret="whsec").start()   # POST / with X-Steadfast-* headers
Checks the signature and that the timestamp is within 300 s, dedupes by event id (a redelivery is answered 200 and
not applied twice). `fake.ledger` lists (event id, order number, type) of every event applied, in arrival order;
`fake.refused` counts deliveries refused for a bad signature or stale timestamp; `fake.lose_answers = N` applies
the next N events and then resets the connection (the sender must redeliver; the receiver must not apply twice).
"""

import hashlib
import hmac
import json
import threading
import time

from steadfast.fakes.hosted import header, run
from steadfast.fakes.server import FakeRequest, FakeResponse, FakeServer

TOLERANCE = 300


class FakeWebhookReceiver(FakeServer):
    def __init__(self, host="127.0.0.1", port=0, webhook_url="", secret="webhook-demo-secret"):
        super().__init__(host, port)
        self.secret = secret
        self.ledger, self.seen, self.refused, self.deliveries = [], set(), 0, 0
        self.lose_answers = 0  # the next N events are applied, then the connection drops before the answer
        self._state = threading.Lock()

    def handle(self, request: FakeRequest) -> FakeResponse:
        if request.method != "POST":
            return super().handle(request)
        timestamp, signature = header(request, "X-Steadfast-Timestamp"), header(request, "X-Steadfast-Signature")
        expected = "sha256=" + hmac.new(self.secret.encode(), timestamp.encode() + b"." + request.body,
                                        hashlib.sha256).hexdigest()
        fresh = timestamp.isdigit() and abs(time.time() - int(timestamp)) <= TOLERANCE
        if not (fresh and hmac.compare_digest(expected, signature)):
            with self._state:
                self.refused += 1
            return FakeResponse(400, {"error": "bad signature or stale timestamp"})
        event = json.loads(request.body)
        event_id = header(request, "X-Steadfast-Event-Id")
        with self._state:
            self.deliveries += 1
            if event_id not in self.seen:  # idempotency: a redelivered event is acknowledged, not applied again
                self.seen.add(event_id)
                self.ledger.append((event_id, event["order"]["number"], event["type"]))
            lose, self.lose_answers = self.lose_answers > 0, max(self.lose_answers - 1, 0)
        return FakeResponse(200, {"ok": True}, drop="reset" if lose else "")


if __name__ == "__main__":
    run(FakeWebhookReceiver, "Run a receiver of the shop's signed accounting webhooks on loopback.", 8832)
