"""A real nginx (Debian binary) as a test-owned process on a free port, proxying to the live test server."""

import http.client
import os
import pwd
import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlparse

import pytest


def nginx_binary():
    found = next((p for p in (shutil.which("nginx"), "/usr/sbin/nginx") if p and os.access(p, os.X_OK)), None)
    if found is None:
        pytest.fail("nginx is not installed; install it with `apt-get install -y nginx` (the Debian package).")
    return found


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


CONF = """daemon off;
master_process on;
worker_processes 1;
user {user};
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log {work}/access.log;
{temp}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://127.0.0.1:{upstream};
            proxy_bind 127.0.0.1;  # the proxy's own address, the one listed in TRUSTED_PROXIES
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
}}
"""


@contextmanager
def nginx_proxy(work: Path, upstream_url: str):
    """Yields the nginx port; nginx is this test's own process and is stopped (SIGTERM) on exit."""
    binary = nginx_binary()
    work.mkdir(parents=True, exist_ok=True)
    port = free_port()
    temp = "\n".join(f"    {k}_temp_path {work}/{k};" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    conf = work / "nginx.conf"
    conf.write_text(CONF.format(user=pwd.getpwuid(os.geteuid()).pw_name, work=work, temp=temp, port=port,
                                upstream=urlparse(upstream_url).port))
    args = [binary, "-p", str(work), "-e", str(work / "error.log"), "-c", str(conf)]
    check = subprocess.run([*args[:1], "-t", *args[1:]], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    server = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 10
        while True:
            if server.poll() is not None:
                raise AssertionError(f"nginx exited: {server.stderr.read()} {(work / 'error.log').read_text()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError(f"nginx did not listen on {port} within 10 s") from None
                time.sleep(0.05)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


class Browser:
    """A minimal HTTP client that connects from a chosen loopback address (127.0.0.0/8 is all ours) with cookies."""

    def __init__(self, port, source, extra_headers=None):
        self.port, self.source, self.cookies = port, source, SimpleCookie()
        self.extra_headers = extra_headers or {}

    def request(self, method, path, form=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20, source_address=(self.source, 0))
        headers = {"Host": "127.0.0.1", **self.extra_headers}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={m.value}" for k, m in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            for value in response.headers.get_all("Set-Cookie") or []:
                self.cookies.load(value)
            return response.status, response.read().decode()
        finally:
            conn.close()

    def post_form(self, path, form):
        """GET the page for its CSRF cookie, then POST the form with the token."""
        self.request("GET", path)
        return self.request("POST", path, {**form, "csrfmiddlewaretoken": self.cookies["csrftoken"].value})
