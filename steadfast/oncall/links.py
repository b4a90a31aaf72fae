"""Acknowledge links: /admin/ack/<page>/<who>/<token>/, signed with SECRET_KEY (nothing stored). `who` is the
on-call person's id (their own link) or "staff" (the link in a message to everyone). /admin/ so the link works in
every shop mode, maintenance included (status/middleware.py lets /admin/ through)."""

from django.conf import settings
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

SALT = "steadfast.oncall.ack"
EVERYONE = "staff"


def ack_token(page_id: int, who: str) -> str:
    return salted_hmac(SALT, f"{page_id}:{who}", algorithm="sha256").hexdigest()[:32]


def ack_token_valid(page_id: int, who: str, token: str) -> bool:
    return constant_time_compare(token, ack_token(page_id, who))


def ack_url(page_id: int, who: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("oncall_ack", args=[page_id, who, ack_token(page_id, who)])
