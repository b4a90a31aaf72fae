"""The one HTML allowlist for staff-written text shown to customers."""

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
