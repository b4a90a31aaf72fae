"""The nginx config for N web nodes: `manage.py status nginx-config --upstream … --upstream …`.

Three layers, each only for the failure it is meant for:

1. `upstream steadfast_nodes`: round robin over the nodes with passive health checks (max_fails/fail_timeout). A
   node that is down (refused, timeout, 502) or not ready (its own 503 to X-Steadfast-Proxy: first, see
   status/readiness.py) counts as a failure and is left alone for fail_timeout; nginx then tries it again by
   itself. GET/HEAD/OPTIONS go to the next node on those answers. The same nodes are listed again as `backup`,
   never marked down: while every node is marked down (the database was out for all of them, and is back before
   fail_timeout ends) a request goes to them instead of getting nginx's 502 "no live upstreams" — an order sent
   the moment the shop recovers is placed, not refused.
2. When no node answered a GET (every one down or not ready), it goes once more to `steadfast_last_resort` (the
   same nodes, never marked down) with X-Steadfast-Proxy: last, so a node without its database still serves what
   it can: cached catalog pages with ordering paused, its maintenance page.
3. When even that gets no answer, the static status copy (offline.py, `status export`) says the shop is down.

Any other method (POST, PATCH, PUT, DELETE) takes its own location (@steadfast_write): passed to another node
only when the connection was refused, never once sent (`non_idempotent` is deliberately absent), never to the
last-resort stage; the client retries with its Idempotency-Key and the shop places one order.

X-Forwarded-For: nginx overwrites it with the address it saw ($remote_addr) when it faces the internet, or appends
to it (--behind-proxy) when another balancer in TRUSTED_PROXIES sits in front; the shop reads it from the right
(security/clientip.py), so either way a client cannot pick its own address.
"""

from pathlib import Path
from urllib.parse import urlsplit

from steadfast.status.offline import UNREACHABLE, UNREACHABLE_DIR

TEMP_KINDS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


def upstream_address(url: str) -> str:
    """host:port of http://host:port (what an upstream block lists); a clear error for anything else."""
    parts = urlsplit(url if "//" in url else f"http://{url}")
    if parts.scheme != "http" or not parts.hostname or not parts.port or parts.path not in ("", "/"):
        raise ValueError(f"upstream {url!r}: expected http://HOST:PORT (a gunicorn node)")
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{host}:{parts.port}"


def _proxy(upstream, stage, forwarded_for, read_timeout) -> str:
    return f"""        proxy_pass http://{upstream};
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Forwarded-For {forwarded_for};
        proxy_set_header X-Steadfast-Proxy {stage};
        proxy_connect_timeout 3s;
        proxy_read_timeout {int(read_timeout)}s;"""


def nginx_server(upstreams, *, listen="80", server_name="_", status_dir="/var/lib/steadfast/status",
                 read_timeout=30, behind_proxy=False, max_fails=2, fail_timeout=10) -> str:
    """upstream blocks and a server block, to include in nginx's http { } block."""
    nodes = [upstream_address(url) for url in upstreams]
    if not nodes:
        raise ValueError("give at least one --upstream")
    root = str(Path(status_dir).resolve()).rstrip("/")
    forwarded_for = "$proxy_add_x_forwarded_for" if behind_proxy else "$remote_addr"
    passive = "\n".join(f"    server {n} max_fails={int(max_fails)} fail_timeout={int(fail_timeout)}s;" for n in nodes)
    passive += "\n" + "\n".join(f"    server {n} backup max_fails=0;" for n in nodes)
    always = "\n".join(f"    server {n} max_fails=0;" for n in nodes)
    first = _proxy("steadfast_nodes", "first", forwarded_for, read_timeout)
    last = _proxy("steadfast_last_resort", "last", forwarded_for, read_timeout)
    write = _proxy("steadfast_nodes", "write", forwarded_for, read_timeout)
    return f"""# Steadfast: {len(nodes)} web node(s). From `manage.py status nginx-config`: regenerate, not edit.
upstream steadfast_nodes {{
{passive}
    keepalive 16;
}}

# The same nodes, never marked down: the last try before the static status copy.
upstream steadfast_last_resort {{
{always}
}}

server {{
    listen {listen};
    server_name {server_name};
    client_max_body_size 10m;

    # Probes reach a node as it is: never retried elsewhere, never answered from the copy.
    location ~ ^/(healthz|readyz)$ {{
{first}
    }}

    location / {{
        # Anything but GET/HEAD/OPTIONS takes its own way (@steadfast_write): never a second try by the proxy.
        error_page 418 = @steadfast_write;
        if ($request_method !~ ^(GET|HEAD|OPTIONS)$) {{ return 418; }}
{first}
        # A refused, reset, timed-out, 502 or 503 answer goes to the next node, at most one try per node.
        proxy_next_upstream error timeout http_502 http_503;
        proxy_next_upstream_tries {len(nodes)};
        proxy_next_upstream_timeout {int(read_timeout)}s;
        proxy_intercept_errors on;
        error_page 502 503 504 = @steadfast_last_resort;
    }}

    # Only GETs come here: no node was up or ready, so one of them serves what it can without its database.
    location @steadfast_last_resort {{
{last}
        proxy_next_upstream error timeout;
        proxy_intercept_errors on;
        # Only "no node answered at all" falls back to the copy; a node's own 503 (maintenance, database down)
        # reaches the visitor with its message.
        error_page 502 504 =503 @steadfast_offline;
    }}

    # POST, PATCH, PUT, DELETE: passed to another node only when the first one refused the connection (nothing was
    # sent); once sent, never again (nginx's rule for non-idempotent methods, `non_idempotent` deliberately absent).
    # A client that got no answer sends it again with the same Idempotency-Key; the shop places one order.
    location @steadfast_write {{
{write}
        proxy_next_upstream error timeout;
        proxy_intercept_errors on;
        error_page 502 504 =503 @steadfast_offline;
    }}

    location @steadfast_offline {{
        root {root};
        default_type text/html;
        add_header Cache-Control "no-store" always;
        add_header Retry-After "120" always;
        add_header Access-Control-Allow-Origin "*" always;
        # The "website not answering" copy: /status/<path> from its mirror, every other page its front page.
        rewrite ^/status(/.*)$ $1 break;
        try_files /{UNREACHABLE_DIR}${{uri}}index.html /{UNREACHABLE_DIR}$uri /{UNREACHABLE}index.html =503;
    }}
}}
"""


def nginx_standalone(upstreams, prefix, *, user=None, **options) -> str:
    """A complete nginx.conf running from its own prefix directory (tests, one-machine trials): pid, logs and
    temporary files under prefix, no root needed."""
    prefix = str(Path(prefix).resolve())
    temp = "\n".join(f"    {kind}_temp_path {prefix}/{kind};" for kind in TEMP_KINDS)
    server = "\n".join(f"    {line}" if line else "" for line in nginx_server(upstreams, **options).splitlines())
    return f"""daemon off;
master_process on;
worker_processes 1;
{f"user {user};" if user else ""}
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log {prefix}/access.log;
    default_type application/octet-stream;
    types {{ text/html html; application/json json; application/atom+xml atom; }}
{temp}
{server}
}}
"""
