"""A real nginx (Debian binary) as a test-owned process on a free port, proxying to the live test server."""

import http.client
import os
import pwd
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlparse

from steadfast.testing import NginxProcess, free_port, nginx_temp_paths

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
    """Yields the nginx port; nginx is this test's own process (steadfast.testing.NginxProcess), stopped on exit."""
    port = free_port()
    conf = CONF.format(user=pwd.getpwuid(os.geteuid()).pw_name, work=work, temp=nginx_temp_paths(work), port=port,
                       upstream=urlparse(upstream_url).port)
    server = NginxProcess(work, conf, port)
    try:
        server.start()
        yield port
    finally:
        server.stop()


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
