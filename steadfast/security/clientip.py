"""The customer's address: the one function every rate limit, login lockout and log line uses.

Behind nginx every request comes from the proxy, so REMOTE_ADDR alone would make each limit shop-wide. The
X-Forwarded-For header is believed only when the connection came from a proxy listed in TRUSTED_PROXIES, and it
is read from the right: each trusted proxy appends the address it saw, so the first hop (from the right) that is
not one of our proxies is the customer. Anything left of it was written by the client and may be forged.
"""

import ipaddress
import logging

from django.conf import settings

_ATTR = "_steadfast_client_address"


def _parse(text):
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def _trusted(address, networks) -> bool:
    return any(address in network for network in networks)


def client_address(request) -> str:
    """The address of whoever sent this request to our proxies (REMOTE_ADDR when no trusted proxy is involved)."""
    cached = getattr(request, _ATTR, None)
    if cached is not None:
        return cached
    remote = request.META.get("REMOTE_ADDR", "") or ""
    address = remote
    networks = settings.TRUSTED_PROXIES
    peer = _parse(remote)
    if networks and peer is not None and _trusted(peer, networks):
        hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        for hop in reversed(hops):
            parsed = _parse(hop)
            if parsed is None:
                break  # garbage from the client: stop at the last address a trusted proxy vouched for
            address = str(parsed)
            if not _trusted(parsed, networks):
                break
    setattr(request, _ATTR, address)
    return address


class ClientAddressFilter(logging.Filter):
    """Adds %(client)s to log records: the customer's address for records about a request, "-" otherwise."""

    def filter(self, record):
        request = getattr(record, "request", None)
        record.client = client_address(request) if hasattr(request, "META") else "-"
        return True
