"""A static copy of the status page for another host or bucket, and the nginx config that falls back to it."""

import json
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import translation

from steadfast.status.banner import contacts_context
from steadfast.status.feeds import feed_atom_bytes
from steadfast.status.safe_write import write_files_safely
from steadfast.status.snapshot import snapshot_build
from steadfast.status.statuspage import status_json, summary_json

OFFLINE_PREFIX = "/_status_offline/"


def status_export(directory, base_href=OFFLINE_PREFIX, language=None) -> list[Path]:
    """Write index.html, contacts/index.html, api/v2/{summary,status}.json and feed.atom; return the paths.

    Files are written to a temporary name and renamed, so a web server never serves half a file; no symlink is
    ever followed (status/safe_write.py).
    """
    with translation.override(language):
        snapshot = snapshot_build()
        contacts = contacts_context()
        files = {
            "index.html": render_to_string("status/page.html", {"s": snapshot, "base_href": base_href, **contacts}),
            "contacts/index.html": render_to_string(
                "status/contacts.html", {**contacts, "base_href": base_href + "contacts/"}
            ),
            "api/v2/summary.json": json.dumps(summary_json(snapshot), ensure_ascii=False, indent=1, sort_keys=True),
            "api/v2/status.json": json.dumps(status_json(snapshot), ensure_ascii=False, indent=1, sort_keys=True),
            "feed.atom": feed_atom_bytes(snapshot, snapshot["site_url"].rstrip("/") + "/status/").decode("utf-8"),
        }
    return write_files_safely(directory, files)


def nginx_snippet(directory, upstream="http://127.0.0.1:8000") -> str:
    root = str(Path(directory).resolve()).rstrip("/")
    return f"""# Steadfast: serve the static status copy (manage.py status export {root}) when the shop does not answer.
# Put these inside your server {{ }} block; run the export on a schedule (e.g. every minute from cron).
location ^~ {OFFLINE_PREFIX} {{
    alias {root}/;
    index index.html;
}}

location ^~ /status/api/v2/ {{
    proxy_pass {upstream};
    proxy_connect_timeout 3s;
    proxy_intercept_errors on;
    error_page 502 503 504 = @steadfast_status_json;
}}

location @steadfast_status_json {{
    root {root};
    default_type application/json;
    rewrite ^/status/(api/v2/[a-z]+\\.json)$ /$1 break;
}}

location / {{
    proxy_pass {upstream};
    proxy_set_header Host $host;
    proxy_set_header X-Forwarded-Proto $scheme;
    proxy_connect_timeout 3s;
    proxy_intercept_errors on;
    # =503: crawlers and monitors see a temporary outage (with Retry-After), not a broken gateway.
    error_page 502 503 504 =503 @steadfast_offline;
}}

location @steadfast_offline {{
    root {root};
    default_type text/html;
    add_header Cache-Control "no-store" always;
    add_header Retry-After "120" always;
    try_files /index.html =503;
}}
"""
