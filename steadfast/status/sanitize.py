"""The one HTML allowlist for staff-written text shown to customers."""

import html
import re

import nh3

TAGS = {"a", "b", "strong", "em", "i", "br", "p"}
ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "tel", "mailto"}


def clean_html(text: str) -> str:
    # clean_content_tags drops <script>/<style> bodies too, not just the tags.
    return nh3.clean(
        text or "",
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        clean_content_tags={"script", "style"},
    )


TAG_LIKE = re.compile(r"<[a-zA-Z!/?]")


def clean_text(text: str) -> str:
    """Plain text from staff-written input (incident titles, updates, postmortems): every tag removed with nh3,
    entities decoded, repeated until nothing tag-like is left (`&lt;img onerror=…&gt;` must not decode into markup).
    Pages escape it; JSON and feeds carry it as text."""
    text = text or ""
    for _ in range(3):
        text = html.unescape(nh3.clean(text, tags=set(), clean_content_tags={"script", "style"}))
        if not TAG_LIKE.search(text):
            return text
    return TAG_LIKE.sub(lambda match: match.group(0).replace("<", ""), text)
