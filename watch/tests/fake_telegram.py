"""A fake Telegram Bot API (sendMessage, getUpdates) and webhook receiver on 127.0.0.1, with a ledger of what
it accepted.

`fail_next(n)` answers the next n sends with HTTP 502, as Telegram does when it is overloaded; a chat in `blocked`
gets 403 "bot was blocked by the user", for good.
`user_sends(chat_id, text)` queues an Update for getUpdates, which (as Telegram does) returns the updates with
update_id >= offset and forgets the ones below it."""

import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeTelegram:
    def __init__(self, token="123:fake-token"):
        self.token, self.messages, self.webhooks, self.refused = token, [], [], 0
        self.webhook_requests = []  # (headers, raw body): signatures are checked on the bytes sent
        self.updates, self.polls, self._ids = [], 0, itertools.count(1000)
        self._lock, self._fail, self.blocked = threading.Lock(), 0, set()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                body = json.loads(raw)
                with fake._lock:
                    if fake._fail:
                        fake._fail -= 1
                        fake.refused += 1
                        return self._answer(502, {"ok": False, "description": "Bad Gateway"})
                    if self.path == f"/bot{fake.token}/sendMessage" and str(body.get("chat_id")) in fake.blocked:
                        fake.refused += 1
                        return self._answer(403, {"ok": False, "error_code": 403,
                                                  "description": "Forbidden: bot was blocked by the user"})
                    if self.path == f"/bot{fake.token}/sendMessage":
                        fake.messages.append(body)
                        return self._answer(200, {"ok": True, "result": {"message_id": len(fake.messages)}})
                    if self.path == f"/bot{fake.token}/getUpdates":
                        fake.polls += 1
                        offset = int(body.get("offset", 0))
                        fake.updates = [u for u in fake.updates if u["update_id"] >= offset]
                        return self._answer(200, {"ok": True, "result": fake.updates})
                    if self.path == "/webhook":
                        fake.webhooks.append(body)
                        fake.webhook_requests.append((dict(self.headers), raw))
                        return self._answer(200, {"ok": True})
                return self._answer(401, {"ok": False, "description": "Unauthorized"})

            def _answer(self, status, document):
                data = json.dumps(document).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def fail_next(self, count):
        with self._lock:
            self._fail = count

    def user_sends(self, chat_id, text: str, date: float | None = None) -> None:
        with self._lock:
            update_id = next(self._ids)
            self.updates.append({"update_id": update_id, "message": {
                "message_id": update_id, "date": int(time.time() if date is None else date), "text": text,
                "from": {"id": int(chat_id), "is_bot": False, "first_name": "Someone"},
                "chat": {"id": int(chat_id), "type": "private"}}})

    def texts(self) -> list[str]:
        with self._lock:
            return [m["text"] for m in self.messages]

    def close(self):
        self.server.shutdown()
        self.server.server_close()
