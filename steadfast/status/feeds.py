"""Atom feed of incident updates (newest first), from the snapshot so it also works in the static export."""

from datetime import datetime

from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _


def feed_atom_bytes(snapshot, page_url) -> bytes:
    feed = Atom1Feed(
        title=_("%(shop)s status") % {"shop": snapshot["shop_name"]},
        link=page_url,
        description=snapshot["description"],
        feed_url=page_url + "feed.atom",
        language=None,
    )
    entries = []
    for incident in snapshot["incidents"] + snapshot["past_incidents"]:
        for update in incident["updates"]:
            entries.append((incident, update))
    entries.sort(key=lambda pair: pair[1]["created_at"], reverse=True)
    for incident, update in entries[:50]:
        feed.add_item(
            title=f"{incident['name']}: {update['status_label']}",
            link=f"{page_url}#incident-{incident['id']}",
            description=update["body"],
            unique_id=f"{page_url}#update-{update['id']}",
            pubdate=datetime.fromisoformat(update["created_at"]),
            updateddate=datetime.fromisoformat(update["created_at"]),
        )
    # Atom's feed-level <updated>: the newest entry, so the body (and its ETag) only changes with content.
    newest = entries[0][1]["created_at"] if entries else snapshot["generated_at"]
    feed.latest_post_date = lambda: datetime.fromisoformat(newest)
    return feed.writeString("utf-8").encode("utf-8")
