"""The generated nginx config (`status nginx-config`) with two stand-in nodes whose readiness the test switches: an
order sent the moment the nodes are ready again reaches one of them once, even though nginx's passive check still
has both marked down from the outage (CI found a shopper's order answered 502 "no live upstreams" there)."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import httpx
import pytest
from django.core.management import call_command

from steadfast.testing import NginxProcess, free_port, wait_until


class StandInNode:
    """Answers like a web node: not ready, a 503 to the proxy's first try and a page to its last resort; ready, 200
    to a GET and 201 to a POST. Counts the POSTs it received."""

    def __init__(self):
        self.ready, self.posts = False, 0
        node = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                stage = self.headers.get("X-Steadfast-Proxy", "")
                self._answer(200 if node.ready or stage == "last" else 503)

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                node.posts += 1
                self._answer(201 if node.ready else 503)

            def _answer(self, code):
                body = b'{"ok": true}'
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def two_nodes_behind_nginx(tmp_path):
    nodes = [StandInNode(), StandInNode()]
    port, work = free_port(), tmp_path / "nginx"
    out = StringIO()
    # A fail_timeout far longer than the test: "marked down" cannot wear off while it runs.
    call_command("status", "nginx-config", "--standalone", str(work), "--listen", f"127.0.0.1:{port}",
                 "--dir", str(tmp_path / "copy"), "--fail-timeout", "600", "--max-fails", "1",
                 "--upstream", nodes[0].url, "--upstream", nodes[1].url, stdout=out)
    nginx = NginxProcess(work, out.getvalue(), port).start()
    try:
        yield nginx, nodes
    finally:
        nginx.stop()
        for node in nodes:
            node.stop()


def test_an_order_sent_as_the_nodes_come_back_is_placed_once_not_refused(two_nodes_behind_nginx):
    nginx, nodes = two_nodes_behind_nginx
    with httpx.Client(base_url=nginx.url, trust_env=False, timeout=30) as client:
        # The outage: both nodes step aside until nginx has marked both down; GETs are still served (last resort).
        def both_marked_down():
            assert client.get("/p/lantern/").status_code == 200
            return all(_disabled(nginx, node) for node in nodes)

        wait_until(both_marked_down, describe="nginx to mark both nodes down")
        for node in nodes:
            node.ready = True

        placed = client.post("/api/v1/checkout/orders", json={"lines": []}, headers={"Idempotency-Key": "k1"})

        assert placed.status_code == 201, (placed.status_code, placed.text[:200], nginx.error_log()[-600:])
        assert sum(node.posts for node in nodes) == 1
        assert client.get("/p/lantern/").status_code == 200


def _disabled(nginx, node) -> str:
    """The error-log line saying nginx took this node out, or ""."""
    address = node.url.removeprefix("http://")
    return next((line for line in nginx.error_log().splitlines()
                 if "temporarily disabled" in line and address in line), "")
