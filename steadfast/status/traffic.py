"""Per-minute response counters for the "website error rate high" policy.

Cheap on purpose: each process counts in memory and adds its counts to the shared cache at most every
STATUS_TRAFFIC_FLUSH_SECONDS (and when the minute changes), so a request costs a dict update, not a cache write.
Counts a process has not flushed yet (at most a few seconds' worth) are not seen by the policy; that is fine for
a rate measured over minutes.
"""

import logging
import threading
import time

from django.conf import settings

from steadfast.cachesafe import lenient_cache as cache
from steadfast.providers.store import STORE_ERRORS

log = logging.getLogger(__name__)

KEY = "status:traffic:v1:{minute}:{kind}"
SKIP = ("/static/", "/media/")
KEEP_SECONDS = 2 * 3600  # longest window a policy can usefully ask for, plus slack

_lock = threading.Lock()
_pending: dict[tuple[int, str], int] = {}
_last_flush = 0.0


def is_error(response) -> bool:
    """A 5xx the shop did not mean: maintenance and "ordering paused" pages are 503 with Retry-After on purpose."""
    if response.status_code < 500:
        return False
    return not (response.status_code == 503 and response.has_header("Retry-After"))


def traffic_count(response, now=None):
    now = time.time() if now is None else now
    minute = int(now // 60)
    with _lock:
        _pending[(minute, "all")] = _pending.get((minute, "all"), 0) + 1
        if is_error(response):
            _pending[(minute, "5xx")] = _pending.get((minute, "5xx"), 0) + 1
        due = now - _last_flush >= settings.STATUS_TRAFFIC_FLUSH_SECONDS or any(m != minute for m, _k in _pending)
    if due:
        traffic_flush(now)


def traffic_flush(now=None):
    global _last_flush
    with _lock:
        counts = dict(_pending)
        _pending.clear()
        _last_flush = time.time() if now is None else now
    try:
        for (minute, kind), value in counts.items():
            _incr(KEY.format(minute=minute, kind=kind), value)
    except STORE_ERRORS as error:  # the cache is down: lose a few seconds of counts, never the request
        log.warning("Could not write response counters to the cache: %r", error)


def _incr(key, value):
    try:
        cache.incr(key, value)
    except ValueError:  # missing: create it, unless another process just did
        if not cache.add(key, value, KEEP_SECONDS):
            cache.incr(key, value)


def error_rate(window_minutes, now=None) -> tuple[int, int]:
    """(responses, 5xx responses) over the last `window_minutes` minutes, the current one included."""
    now = time.time() if now is None else now
    last = int(now // 60)
    minutes = range(last - max(window_minutes, 1) + 1, last + 1)
    keys = [KEY.format(minute=m, kind=kind) for m in minutes for kind in ("all", "5xx")]
    values = cache.get_many(keys)
    total = sum(values.get(KEY.format(minute=m, kind="all"), 0) for m in minutes)
    errors = sum(values.get(KEY.format(minute=m, kind="5xx"), 0) for m in minutes)
    return total, errors


class ResponseCounterMiddleware:
    """Outermost, so it sees the 500 Django makes of an exception anywhere below it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path_info.startswith(SKIP):
            traffic_count(response)
        return response
