"""Atom feed of incident updates and maintenance announcements (newest first), from the snapshot so it also works
in the static export.

Entries are plain text (`type="text"`): a feed reader never renders staff-written markup. Whatever markup a
message carries is reduced to its text here, whatever was (or was not) sanitised when it was saved.
"""

import html
from datetime import datetime

import nh3
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from steadfast.status.statuspage import page_url


def plain_text(value: str) -> str:
    # nh3 with no allowed tags drops every tag (and script/style bodies) and escapes the rest; unescape it back
    # to text, which the XML writer escapes once more.
    return html.unescape(nh3.clean(value or "", tags=set()))


class TextAtom1Feed(Atom1Feed):
    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, {**item, "description": None})
        if item["description"]:
            handler.addQuickElement("summary", item["description"], {"type": "text"})


def _entries(snapshot, url):
    for incident in snapshot["incidents"] + snapshot["past_incidents"]:
        for update in incident["updates"]:
            yield {
                "title": f"{plain_text(incident['name'])}: {update['status_label']}",
                "link": f"{url}incidents/{incident['id']}/",
                "body": plain_text(update["body"]),
                "id": f"{url}incidents/{incident['id']}/#update-{update['id']}",
                "at": update["created_at"],
            }
    for window in snapshot.get("maintenances", []):
        when = window["scheduled_for"][:16].replace("T", " ")
        for update in window["updates"]:
            yield {
                "title": f"{plain_text(window['name'])} ({when} UTC): {update['status_label']}",
                "link": f"{url}maintenance/{window['id']}/",
                "body": plain_text(update["body"]),
                "id": f"{url}maintenance/{window['id']}/#{update['id']}",
                "at": update["created_at"],
            }
    if snapshot.get("last_seen_up") and not snapshot.get("origin_down_since"):
        yield {
            "title": snapshot["description"],
            "link": url,
            "body": _("Our website is not answering. It last answered at %(at)s UTC. Call or write to us to order.")
            % {"at": snapshot["last_seen_up"][:16].replace("T", " ")},
            "id": f"{url}#website-down-after-{snapshot['last_seen_up']}",
            "at": snapshot["last_seen_up"],
        }
    if snapshot.get("origin_down_since"):
        yield {
            "title": snapshot["description"],
            "link": url,
            "body": _("Our website has not answered since %(since)s UTC. Call or write to us to order.")
            % {"since": snapshot["origin_down_since"][:16].replace("T", " ")},
            "id": f"{url}#website-down-{snapshot['origin_down_since']}",
            "at": snapshot["origin_down_since"],
        }


def feed_atom_bytes(snapshot) -> bytes:
    url = page_url(snapshot)  # from SITE_URL, never the request's Host: the feed is publicly cached
    feed = TextAtom1Feed(
        title=_("%(shop)s status") % {"shop": snapshot["shop_name"]},
        link=url,
        description=snapshot["description"],
        feed_url=url + "feed.atom",
        language=None,
    )
    entries = sorted(_entries(snapshot, url), key=lambda e: e["at"], reverse=True)
    for entry in entries[:50]:
        at = datetime.fromisoformat(entry["at"])
        feed.add_item(
            title=entry["title"],
            link=entry["link"],
            description=entry["body"],
            unique_id=entry["id"],
            pubdate=at,
            updateddate=at,
        )
    # Atom's feed-level <updated>: the newest entry, so the body (and its ETag) only changes with content.
    newest = entries[0]["at"] if entries else snapshot["generated_at"]
    feed.latest_post_date = lambda: datetime.fromisoformat(newest)
    return feed.writeString("utf-8").encode("utf-8")
