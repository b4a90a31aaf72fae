"""A fake Telegram Bot API (sendMessage) and webhook receiver on 127.0.0.1 with a ledger of what it accepted.

`fail_next(n)` answers the next n sends with HTTP 502, as Telegram does when it is overloaded."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeTelegram:
    def __init__(self, token="123:fake-token"):
        self.token, self.messages, self.webhooks, self.refused = token, [], [], 0
        self._lock, self._fail = threading.Lock(), 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with fake._lock:
                    if fake._fail:
                        fake._fail -= 1
                        fake.refused += 1
                        return self._answer(502, {"ok": False, "description": "Bad Gateway"})
                    if self.path == f"/bot{fake.token}/sendMessage":
                        fake.messages.append(body)
                        return self._answer(200, {"ok": True, "result": {"message_id": len(fake.messages)}})
                    if self.path == "/webhook":
                        fake.webhooks.append(body)
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

    def texts(self) -> list[str]:
        with self._lock:
            return [m["text"] for m in self.messages]

    def close(self):
        self.server.shutdown()
        self.server.server_close()
