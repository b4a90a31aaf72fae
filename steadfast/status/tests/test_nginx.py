"""A real nginx (Debian package) with the generated snippet, in front of a live shop, a stopped one, a hanging one
and a proxy answering errors: only "the shop does not answer" falls back to the exported copy."""

import json
import os
import pwd
import socket
import threading
import urllib.error
import urllib.request
from contextlib import contextmanager
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from steadfast.status.incidents import incident_open
from steadfast.status.services import shop_mode_set
from steadfast.testing import NginxProcess, free_port, nginx_temp_paths

pytestmark = pytest.mark.django_db

def nginx_conf(work, port, snippet):
    user = pwd.getpwuid(os.geteuid()).pw_name  # workers read the export in a private tmp dir as this user
    return f"""daemon off;
master_process on;
worker_processes 1;
user {user};
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log {work}/access.log;
    default_type application/octet-stream;
    types {{ text/html html; application/json json; application/atom+xml atom; }}
{nginx_temp_paths(work)}
    server {{
        listen 127.0.0.1:{port};
        server_name localhost;
{snippet}
    }}
}}
"""


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


class Nginx:
    """Test-owned nginx processes (steadfast.testing.NginxProcess) running the snippet of `status nginx-snippet`."""

    def __init__(self, work, export):
        self.work, self.export, self.processes = work, export, []

    def start(self, upstream, read_timeout=30):
        work = self.work / f"nginx{len(self.processes)}"
        snippet = StringIO()
        call_command("status", "nginx-snippet", "--dir", str(self.export), "--upstream", upstream,
                     "--read-timeout", str(read_timeout), stdout=snippet)
        port = free_port()
        server = NginxProcess(work, nginx_conf(work, port, snippet.getvalue()), port)
        self.processes.append(server)
        return server.start().url

    def stop(self):
        for server in self.processes:
            server.stop()


@pytest.fixture
def nginx(tmp_path):
    export = tmp_path / "export"
    front = Nginx(tmp_path, export)
    yield front
    front.stop()


def export_copy(directory):
    call_command("status", "export", str(directory), "--no-check", stdout=StringIO(), stderr=StringIO())


def _assert_offline_page(status, headers, body, path):
    # The snippet answers 503 (a temporary outage, with Retry-After) with the "not answering" copy as the body.
    assert status == 503, (path, status, body[:300])
    assert headers["Retry-After"] == "120" and headers["Cache-Control"] == "no-store"
    assert "Our website is not answering right now." in body, (path, body[:300])
    assert "All systems operational" not in body


def test_stopped_shop_falls_back_to_a_copy_that_says_so(nginx, tmp_path):
    incident = incident_open("Card payments down", "Call us to order.", ["payment-cash_on_delivery"], "minor")
    export_copy(nginx.export)
    base = nginx.start(dead_origin())  # connection refused: the shop is stopped
    for path in ("/", "/checkout/", "/status/"):
        _assert_offline_page(*fetch(base + path), path)
    status, headers, body = fetch(base + "/status/")
    assert "Card payments down" in body and "Call us to order." in body  # the last known incidents stay

    # Every Statuspage document: 503 and a body that reads red, readable from other sites.
    for name in ("summary.json", "status.json", "components.json", "incidents/unresolved.json"):
        status, headers, body = fetch(f"{base}/status/api/v2/{name}")
        assert status == 503 and headers["Content-Type"].startswith("application/json"), (name, status, body[:200])
        assert headers["Access-Control-Allow-Origin"] == "*"
        data = json.loads(body)
        assert data["page"]["name"]
        if "status" in data:
            assert data["status"] == {"indicator": "critical", "description": "Our website is not answering"}
    status, _headers, body = fetch(base + "/status/api/v2/incidents/unresolved.json")
    assert json.loads(body)["incidents"][0]["name"] == "Card payments down"

    # The rest of the copy under its own URLs: feed (as a feed), history, permalink, contacts.
    status, headers, body = fetch(base + "/status/feed.atom")
    assert status == 200 and headers["Content-Type"].startswith("application/atom+xml"), (status, body[:200])
    assert "Our website is not answering" in body and "Card payments down" in body
    for path, expected in (
        (f"/status/incidents/{incident.id}/", "Call us to order."),
        ("/status/history/", "Incident history"),
        ("/status/contacts/", "tel:"),
    ):
        status, _headers, body = fetch(base + path)
        assert status == 503 and expected in body, (path, status, body[:300])


def test_shop_in_maintenance_shows_its_own_page_through_nginx(nginx, live_server):
    """The shop's own 503 (maintenance: message and ETA) reaches the visitor; the copy is not served instead."""
    export_copy(nginx.export)
    base = nginx.start(live_server.url)
    status, _headers, body = fetch(base + "/status/api/v2/status.json")
    assert status == 200 and json.loads(body)["status"]["indicator"] == "none"  # live, through the proxy

    eta = timezone.now() + timedelta(hours=2)
    shop_mode_set("maintenance", reason="server upgrade", eta=eta, message="We are moving to a faster server.")
    status, headers, body = fetch(base + "/")
    assert status == 503, (status, body[:300])
    assert "We are moving to a faster server." in body and 'id="eta"' in body, body[:500]
    assert "Our website is not answering" not in body and headers.get("Retry-After") != "120"
    status, headers, body = fetch(base + "/status/api/v2/summary.json")
    assert status == 200 and json.loads(body)["status"]["indicator"] == "maintenance"
    assert headers["Access-Control-Allow-Origin"] == "*"
    status, _headers, body = fetch(base + "/status/")
    assert status == 200 and "We are moving to a faster server." in body and "not answering" not in body


def test_hanging_shop_falls_back_after_the_read_timeout(nginx):
    export_copy(nginx.export)
    with socket.socket() as hanging:  # accepts connections (kernel backlog) and never answers
        hanging.bind(("127.0.0.1", 0))
        hanging.listen(16)
        base = nginx.start(f"http://127.0.0.1:{hanging.getsockname()[1]}", read_timeout=1)
        _assert_offline_page(*fetch(base + "/"), "/")
        status, _headers, body = fetch(base + "/status/api/v2/status.json")
        assert status == 503 and json.loads(body)["status"]["indicator"] == "critical"


@pytest.mark.parametrize(("code", "falls_back"), [(502, True), (504, True), (500, False), (503, False)])
def test_only_gateway_errors_from_behind_fall_back(nginx, code, falls_back):
    """A proxy behind nginx answering 502/504 means the shop is unreachable; any other answer is the shop's own."""
    export_copy(nginx.export)
    with answering(code, f"the shop's own {code} page") as upstream:
        base = nginx.start(upstream)
        status, _headers, body = fetch(base + "/")
    if falls_back:
        _assert_offline_page(status, _headers, body, "/")
    else:
        assert status == code and body == f"the shop's own {code} page"


def dead_origin():
    return f"http://127.0.0.1:{free_port()}"


@contextmanager
def answering(code, text):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's naming)
            payload = text.encode()
            self.send_response(code)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
