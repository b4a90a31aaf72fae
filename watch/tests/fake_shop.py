"""A stand-in for the shop's public endpoints on 127.0.0.1 (healthz, readyz, catalog, status JSON, the on-call
rota): answers whatever the test put in `documents`, so watcher decisions are tested over real HTTP."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ALL_WELL = {"status": {"indicator": "none", "description": "All systems operational"}, "synthetic_checkout": {}}


class FakeShop:
    def __init__(self):
        self.documents = {"/healthz": {"ok": True}, "/readyz": {"ok": True}, "/": "<html>shop</html>",
                          "/status/api/v2/summary.json": dict(ALL_WELL)}
        self.requests = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):  # noqa: N802
                path = self.path.split("?")[0]
                fake.requests.append((path, self.headers.get("Authorization", "")))
                document = fake.documents.get(path)
                if document is None:
                    return self._answer(404, b"not found")
                if isinstance(document, tuple):  # (status, body)
                    return self._answer(document[0], json.dumps(document[1]).encode())
                self._answer(200, document.encode() if isinstance(document, str) else json.dumps(document).encode())

            def _answer(self, status, data):
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
