"""A receiver for webhooks and Apprise's json:// and form:// URLs on 127.0.0.1: records every POST it took
(path, parsed body) and answers 503 while `failing` is set, as an endpoint that is down would; with `hang` set
it holds each request until `hang` is cleared and then drops it, taking nothing (`hung` counts them)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


class FakeHook:
    def __init__(self):
        self.received, self.refused, self.failing, self.hang, self.hung = [], 0, False, threading.Event(), 0
        self._lock, self._closing = threading.Lock(), threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                if fake.hang.is_set():
                    # Hung: nothing is taken, however late it is let go (its client gave up long before).
                    while fake.hang.is_set() and not fake._closing.wait(0.05):
                        pass
                    with fake._lock:
                        fake.hung += 1
                    return
                form = self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded")
                body = {k: v[-1] for k, v in parse_qs(raw).items()} if form else json.loads(raw)
                with fake._lock:
                    if fake.failing:
                        fake.refused += 1
                        status = 503
                    else:
                        fake.received.append((self.path, body))
                        status = 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def bodies(self, path: str) -> list[dict]:
        with self._lock:
            return [body for at, body in self.received if at == path]

    def close(self):
        self._closing.set()
        self.server.shutdown()
        self.server.server_close()
