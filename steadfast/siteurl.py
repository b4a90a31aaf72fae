"""Absolute URLs from SITE_URL, never from the request's Host header.

API responses and feeds are cached publicly; a URL built from the Host header would copy whatever host and port a
client sent (127.0.0.1:6666) into what every later client receives.
"""

from django.conf import settings


def absolute_url(path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path  # already absolute (e.g. media on another storage)
    return settings.SITE_URL.rstrip("/") + "/" + path.lstrip("/")
