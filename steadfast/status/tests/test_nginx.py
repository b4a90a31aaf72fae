"""A real nginx (Debian package) in front of a stopped shop serves the exported status page."""

import json
import os
import pwd
import shutil
import socket
import subprocess
import urllib.error
import urllib.request
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from steadfast.status.incidents import incident_open
from steadfast.testing import WAIT_SECONDS, wait_until

pytestmark = pytest.mark.django_db

INSTALL_HINT = "nginx is not installed; install it with `apt-get install -y nginx` (the Debian package)."


def nginx_binary():
    candidates = [shutil.which("nginx"), "/usr/sbin/nginx", "/usr/bin/nginx"]
    found = next((p for p in candidates if p and os.access(p, os.X_OK)), None)
    if found is None:
        pytest.fail(INSTALL_HINT)
    return found


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def nginx_conf(work, port, snippet):
    user = pwd.getpwuid(os.geteuid()).pw_name  # workers read the export in a private tmp dir as this user
    kinds = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    temp = "\n".join(f"    {name}_temp_path {work}/{name};" for name in kinds)
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
{temp}
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


@pytest.fixture
def nginx_in_front_of_stopped_shop(tmp_path):
    binary = nginx_binary()
    export, work = tmp_path / "export", tmp_path / "nginx"
    work.mkdir()
    incident_open("Shop server down", "Our server is being repaired; call us to order.", ["website"], "major")
    call_command("status", "export", str(export), stdout=StringIO())
    snippet = StringIO()
    # The upstream: a loopback port where nothing listens, i.e. the shop is stopped.
    call_command("status", "nginx-snippet", "--dir", str(export), "--upstream",
                 f"http://127.0.0.1:{free_port()}", stdout=snippet)
    port = free_port()
    conf = work / "nginx.conf"
    conf.write_text(nginx_conf(work, port, snippet.getvalue()))
    check = subprocess.run([binary, "-t", "-p", str(work), "-e", str(work / "error.log"), "-c", str(conf)],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    server = subprocess.Popen([binary, "-p", str(work), "-e", str(work / "error.log"), "-c", str(conf)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_listening(port, server, work)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()  # SIGTERM: nginx master shuts down at once, workers with it
        server.wait(timeout=WAIT_SECONDS)


def _wait_listening(port, server, work):
    def listening():
        if server.poll() is not None:
            raise AssertionError(f"nginx exited: {server.stderr.read()} {Path(work / 'error.log').read_text()}")
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True

    wait_until(listening, describe=f"nginx to listen on 127.0.0.1:{port}", ignore=(OSError,))


def test_nginx_serves_the_static_status_page_while_the_shop_is_down(nginx_in_front_of_stopped_shop):
    base = nginx_in_front_of_stopped_shop
    for path in ("/", "/status/", "/checkout/"):
        status, headers, body = fetch(base + path)
        # The snippet answers 503 (a temporary outage, with Retry-After) with the exported page as the body.
        assert status == 503, (path, status, body[:200])
        assert headers["Retry-After"] == "120" and headers["Cache-Control"] == "no-store"
        assert "Shop server down" in body and "Our server is being repaired; call us to order." in body
        assert '<base href="/_status_offline/">' in body

    # Links in the page resolve under the offline prefix, served straight from the export.
    status, _headers, contacts = fetch(base + "/_status_offline/contacts/")
    assert status == 200 and "tel:" in contacts

    status, headers, body = fetch(base + "/status/api/v2/summary.json")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    summary = json.loads(body)
    assert summary["status"]["indicator"] == "major" and summary["incidents"][0]["name"] == "Shop server down"
