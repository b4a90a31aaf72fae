"""The waiting room's shared state: load across nodes, tickets, the admission pointer, the staff switch
(on / auto / off).

Everything lives in the lenient cache alias, so every node and worker sees one room: Redis in production (INCR is
atomic, so two nodes never hand out the same ticket), the database cache without REDIS_URL (one machine: its
increments are read-then-write, so under a burst two visitors may share a number; they are then admitted together,
which is harmless). A cache that fails makes the room open: the waiting room must never be what takes a shop down.

- Load: requests in flight across all nodes. Each process counts its own in memory and publishes the figure (one
  key per process, listed in `waitroom:nodes`) at most four times a second; the sum over fresh keys is the load.
  A killed node's figure goes stale and stops counting after NODE_TTL seconds.
- Tickets: a new visitor while the room is active takes the next number (`waitroom:issued`).
- Admission: `waitroom:admitted` is the highest ticket let in. Once a second (one node wins the tick) it moves on by
  the spare capacity measured right then (max in flight minus in flight), so admission follows what the nodes
  actually manage, not a guess. The estimate is position ÷ the last advance per second.
"""

import logging
import os
import socket
import threading
import time

from django.conf import settings

from steadfast.cachesafe import lenient_cache as cache

log = logging.getLogger(__name__)

SWITCH = "waitroom:switch"
ISSUED, ADMITTED, RATE = "waitroom:issued", "waitroom:admitted", "waitroom:rate"
ACTIVE_UNTIL = "waitroom:active-until"


class _Counter:
    """Requests in flight in this process, published to the cache at most every PUBLISH_SECONDS (and on the first
    request after that), so the shared store sees one write per process per interval, not two per request."""

    def __init__(self):
        self.lock, self.count, self.published, self.registered = threading.Lock(), 0, 0.0, 0.0
        self.key = f"waitroom:load:{socket.gethostname()}:{os.getpid()}"

    def change(self, delta):
        with self.lock:
            self.count += delta
            count, now = self.count, time.monotonic()
            due = now - self.published >= PUBLISH_SECONDS
            if due:
                self.published = now
        if due:
            cache.set(self.key, (count, time.time()), NODE_TTL)
            if now - self.registered >= REGISTER_SECONDS:  # rare, so a lost update between two new nodes heals
                self.registered = now
                nodes = set(cache.get(NODES) or ()) | {self.key}
                cache.set(NODES, sorted(nodes), 3600)


PUBLISH_SECONDS, NODE_TTL, REGISTER_SECONDS = 0.25, 10, 5
NODES = "waitroom:nodes"
_counter = _Counter()


def inflight_enter():
    _counter.change(+1)
    return True


def inflight_leave(_token=None):
    _counter.change(-1)


def inflight() -> int:
    """Requests in flight across every node that published in the last NODE_TTL seconds (a killed node drops out)."""
    keys = cache.get(NODES) or []
    now = time.time()
    return sum(count for count, at in cache.get_many(keys).values() if now - at < NODE_TTL and count > 0)


STATES = ("auto", "on", "off")


def mode() -> str:
    """The staff switch: "on" queues new visitors now, "off" never queues them (load or not), "auto" follows load."""
    value = cache.get(SWITCH)
    return value if value in ("on", "off") else "auto"


def mode_set(state: str):
    """Set the staff switch for every node (waitroom.services.room_switch also writes the audit row)."""
    if state not in STATES:
        raise ValueError(f"unknown waiting room state {state!r}")
    if state == "auto":
        cache.delete(SWITCH)
    else:
        cache.set(SWITCH, state, None)
    _forget()


def switched_on() -> bool:
    return mode() == "on"


def limit() -> int:
    return settings.WAITROOM_MAX_INFLIGHT


_memo = {"at": float("-inf"), "value": False}
MEMO_SECONDS = 0.25  # one answer per process per quarter second: the door costs new visitors no cache round trips


def active() -> bool:
    now = time.monotonic()
    if now - _memo["at"] >= MEMO_SECONDS:
        _memo.update(value=_active(), at=now)
    return _memo["value"]


def _forget():
    _memo["at"] = float("-inf")


def _active(load=None) -> bool:
    """Is the room holding new visitors? Staff switch, or load over the limit; it stays on for a short grace after
    load falls (WAITROOM_LINGER_SECONDS), so the queue drains in order instead of being overtaken by newcomers."""
    state = mode()
    if state != "auto":
        return state == "on"
    if not limit():
        return False
    load = inflight() if load is None else load
    now = time.time()
    if load >= limit():
        cache.set(ACTIVE_UNTIL, now + settings.WAITROOM_LINGER_SECONDS, 3600)
        return True
    return (cache.get(ACTIVE_UNTIL) or 0) > now or waiting() > 0


def ticket_take() -> int:
    if cache.add(ISSUED, 1, None):
        return 1
    return cache.incr(ISSUED)


def waiting() -> int:
    return max(0, int(cache.get(ISSUED) or 0) - int(cache.get(ADMITTED) or 0))


def admission_tick(now=None):
    """Once a second across the nodes: let in as many as there is room for right now."""
    second = int(now or time.time())
    if not cache.add(f"waitroom:tick:{second}", 1, 5):
        return
    spare = (limit() or settings.WAITROOM_SWITCH_RATE) - (inflight() if limit() else 0)
    if switched_on():
        spare = settings.WAITROOM_SWITCH_RATE  # staff chose the pace: so many new visitors a second
    if spare <= 0:
        cache.set(RATE, 0, 60)
        return
    issued = int(cache.get(ISSUED) or 0)
    admitted = int(cache.get(ADMITTED) or 0)
    step = min(spare, issued - admitted)
    if step > 0:
        if not cache.add(ADMITTED, step, None):
            cache.incr(ADMITTED, step)
    cache.set(RATE, spare, 60)


def position(ticket: int) -> int:
    """How many are ahead of this ticket, itself included (0: its turn has come)."""
    return max(0, ticket - int(cache.get(ADMITTED) or 0))


def estimate_seconds(place: int) -> int:
    rate = int(cache.get(RATE) or 0) or 1
    return max(1, -(-place // rate))


def snapshot() -> dict:
    """What staff see on the admin page: the switch, whether new visitors queue now, load, queue and pace."""
    return {"mode": mode(), "active": _active(), "inflight": inflight(), "limit": limit(), "waiting": waiting(),
            "rate": int(cache.get(RATE) or 0)}


def reset():
    cache.delete_many([SWITCH, ISSUED, ADMITTED, RATE, ACTIVE_UNTIL])
    _forget()
