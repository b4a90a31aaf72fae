"""What the static copy of the status page holds, and the nginx config that serves it when the shop does not answer.

The export directory mirrors /status/ (index.html, history/, incidents/<id>/, maintenance/<id>/, contacts/,
feed.atom, api/v2/*.json), so a copy on another host or bucket works as it is. Beside it, unreachable/ holds the
same page, JSON and feed rendered for the case "the website does not answer": nginx serves those (and only those)
when it cannot reach the shop, so the copy it falls back to never says "All systems operational".
"""

import copy
import json
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import translation

from steadfast.status.banner import contacts_context
from steadfast.status.feeds import feed_atom_bytes
from steadfast.status.origin import origin_down_since
from steadfast.status.page_components import status_label
from steadfast.status.snapshot import indicator_description, snapshot_build
from steadfast.status.statuspage import ENDPOINTS

STATUS_ROOT = "/status/"
UNREACHABLE_DIR = "unreachable"
UNREACHABLE = UNREACHABLE_DIR + "/"
# The export runs every minute: a copy older than this was not refreshed, and its page says so (in the browser).
STALE_AFTER_MS = 5 * 60 * 1000


def snapshot_unreachable(snapshot) -> dict:
    """The snapshot as it reads when the website does not answer: website down, indicator critical."""
    data = copy.deepcopy(snapshot)
    data["indicator"] = "critical"
    data["description"] = indicator_description("unreachable")
    data["last_seen_up"] = data["generated_at"]  # the export ran, so the shop answered then (or was already down)
    for component in data["components"]:
        if component["id"] == "website":
            component["status"] = "major_outage"
            component["status_label"] = status_label("major_outage")
    return data


def _documents(snapshot, root, contacts, prefix=""):
    context = {"s": snapshot, "root": root, **contacts}
    offline = {**context, "offline": bool(prefix)}
    files = {
        prefix + "index.html": render_to_string("status/page.html", offline),
        prefix + "feed.atom": feed_atom_bytes(snapshot).decode("utf-8"),
    }
    for name, build in ENDPOINTS.items():
        files[f"{prefix}api/v2/{name}"] = json.dumps(build(snapshot), ensure_ascii=False, indent=1, sort_keys=True)
    return files


def export_files(root=STATUS_ROOT, language=None) -> dict[str, str]:
    """Every file of the static copy, by path relative to the export directory."""
    with translation.override(language):
        snapshot = snapshot_build(origin_down_since=origin_down_since())
        contacts = contacts_context()
        contacts = {**contacts, "exported": True, "stale_after_ms": STALE_AFTER_MS}
        context = {"s": snapshot, "root": root, **contacts}
        files = _documents(snapshot, root, contacts)
        files.update(_documents(snapshot_unreachable(snapshot), root, contacts, UNREACHABLE))
        files["contacts/index.html"] = render_to_string("status/contacts.html", context)
        files["history/index.html"] = render_to_string("status/history.html", context)
        for item in snapshot["incidents"] + snapshot["past_incidents"]:
            files[f"incidents/{item['id']}/index.html"] = render_to_string(
                "status/incident.html", {**context, "item": item, "kind": "incident"}
            )
        for item in snapshot["maintenances"]:
            if item["status"] != "cancelled":
                files[f"maintenance/{item['id']}/index.html"] = render_to_string(
                    "status/incident.html", {**context, "item": item, "kind": "maintenance"}
                )
    return files


def nginx_snippet(directory, upstream="http://127.0.0.1:8000", read_timeout=30) -> str:
    root = str(Path(directory).resolve()).rstrip("/")
    proxy = f"""    proxy_pass {upstream};
    proxy_set_header Host $host;
    proxy_set_header X-Forwarded-Proto $scheme;
    proxy_connect_timeout 3s;
    proxy_read_timeout {int(read_timeout)}s;
    # Only "the shop did not answer" falls back: nginx's own 502 (refused, reset) and 504 (timeout), or a 502/504
    # passed on from a proxy behind. The shop's own 503 (maintenance page with message and ETA) and every other
    # answer of the shop go to the visitor unchanged.
    proxy_intercept_errors on;"""
    return f"""# Steadfast: serve the static status copy when the shop does not answer.
# Copy written by: manage.py status export {root}   (run it every minute, e.g. from cron)
# Put these inside your server {{ }} block.
location ^~ /status/ {{
{proxy}
    error_page 502 504 =503 @steadfast_status_copy;
}}

location = /status/feed.atom {{
{proxy}
    error_page 502 504 = @steadfast_status_feed;
}}

location / {{
{proxy}
    # =503 with Retry-After: crawlers and monitors see a temporary outage, not a healthy page.
    error_page 502 504 =503 @steadfast_offline;
}}

# /status/<path> from the copy: the "website not answering" version first, then the rest of the copy.
# Answered 503, so a monitor reading the JSON or the status code never reads green.
location @steadfast_status_copy {{
    root {root};
    default_type text/html;
    add_header Cache-Control "no-store" always;
    add_header Retry-After "120" always;
    add_header Access-Control-Allow-Origin "*" always;
    rewrite ^/status(/.*)$ $1 break;
    try_files /{UNREACHABLE_DIR}${{uri}}index.html /{UNREACHABLE_DIR}$uri
              ${{uri}}index.html $uri /{UNREACHABLE}index.html;
}}

# The feed as a feed (200), so readers take the "website not answering" state like any other update.
location @steadfast_status_feed {{
    root {root};
    default_type application/atom+xml;
    add_header Cache-Control "no-store" always;
    try_files /{UNREACHABLE}feed.atom =503;
}}

location @steadfast_offline {{
    root {root};
    default_type text/html;
    add_header Cache-Control "no-store" always;
    add_header Retry-After "120" always;
    try_files /{UNREACHABLE}index.html =503;
}}
"""
