"""Circuit breaker per provider, shared by every process and node through providers.store.

States: closed (calls go through) -> open (calls rejected at once) -> half_open (exactly one trial call after
the cool-down) -> closed on its success, open again on its failure.

Opens when, within settings.BREAKER_WINDOW seconds, at least BREAKER_MIN_CALLS calls were made and at least
BREAKER_FAILURE_PERCENT % of them failed (Unavailable, Indeterminate, Misconfigured); or after
BREAKER_CONSECUTIVE failures in a row (Unavailable or Indeterminate: a hanging provider is as dead as one that
answers 503); or at once on Misconfigured. A Declined call is a healthy provider saying no: it counts as a success.
The in-a-row counter lives until a success resets it (at most a few probe intervals), not one window: probes a
minute apart with no shopper traffic must be able to open the breaker on their own.

Who may be the trial after the cool-down: only the background probe (`trial_ok`), never a customer's payment,
for providers that have a probe. A provider without one (nothing can test it in the background) keeps the
old rule: the first call after the cool-down is the trial.

Every state record carries a generation number, bumped on each transition; window counters and trial tokens
are keyed by it, so a transition starts from clean counters without deleting anything, and calls admitted
under an old generation cannot move the breaker. Each transition has exactly one writer (the holder of an
atomic cache.add() token), so a HealthEvent row is written once per transition, whatever the number of nodes.
The consecutive-Unavailable counter is reset on transitions instead, so one round trip reads it with the state.

Cost on the healthy path: one cache read per call. Calls are only counted into the window while a "failing"
marker (set by any failure, lasting one window) exists, so the failure rate is measured over the calls since
the first recent failure; a provider that never fails costs no cache writes.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from steadfast.providers import clock
from steadfast.providers.models import Attempt, HealthEvent
from steadfast.providers.signals import health_changed
from steadfast.providers.store import store

log = logging.getLogger(__name__)

CLOSED, OPEN, HALF_OPEN, DISABLED = (s.value for s in HealthEvent.State)
_HEALTHY = (Attempt.Outcome.OK, Attempt.Outcome.DECLINED)
TRIAL_MARGIN = 5  # seconds a trial token outlives the trial call's own timeouts


@dataclass(frozen=True)
class Ticket:
    """The breaker's answer to "may I call?", handed back with the outcome."""

    allowed: bool
    gen: int
    state: str = CLOSED
    trial: bool = False
    consecutive: int = 0
    counting: bool = False  # failures seen within the window: successes must be counted too


@dataclass(frozen=True)
class BreakerView:
    state: str
    since: float  # epoch seconds of the last transition (0: never opened)
    retry_at: float | None  # when an open breaker lets its trial call through
    failures_in_a_row: int = 0  # failures since the last success (probes come quicker while this is > 0)


def _key(provider, *parts):
    return ":".join(("sf:breaker", provider.code, *map(str, parts)))


def _number(provider, name, default):
    try:
        return float(provider.config.get(name, default))
    except (TypeError, ValueError):
        return float(default)


def cooldown(provider) -> float:
    return _number(provider, "cooldown", settings.BREAKER_COOLDOWN)


def _trial_ttl(provider) -> float:
    return _number(provider, "connect_timeout", 3) + _number(provider, "read_timeout", 10) + TRIAL_MARGIN


def _consecutive_ttl() -> float:
    # Long enough to bridge the gap between probes; a success resets it anyway.
    return max(settings.BREAKER_WINDOW, 3 * settings.PROBE_INTERVAL)


def _read(provider):
    """(state record, consecutive Unavailable count, failures seen lately) in one round trip."""
    keys = [_key(provider, "state"), _key(provider, "consecutive"), _key(provider, "failing")]
    values = store.get_many(keys)
    record = values.get(keys[0]) or {"state": CLOSED, "since": 0.0, "gen": 0}
    return record, values.get(keys[1], 0), keys[2] in values


def breaker_view(provider) -> BreakerView:
    record, consecutive, _ = _read(provider)
    retry_at = record["since"] + cooldown(provider) if record["state"] != CLOSED else None
    return BreakerView(record["state"], record["since"], retry_at, consecutive)


def breaker_admit(provider, trial_ok=True) -> Ticket:
    """May this call go out? `trial_ok`: the caller may be the one trial after the cool-down (the probe)."""
    record, consecutive, failing = _read(provider)
    state, gen = record["state"], record["gen"]
    if state == CLOSED:
        return Ticket(True, gen, consecutive=consecutive, counting=failing)
    if not trial_ok:
        return Ticket(False, gen, state)
    waited = clock.now() - record["since"] - cooldown(provider)
    if waited < 0:
        return Ticket(False, gen, state)
    # One token per time slot: if a trial's process dies, the next slot offers a new trial. Fresh keys keep
    # cache.add() atomic on the database cache too (an expired row would be updated, not inserted).
    ttl = _trial_ttl(provider)
    slot = int(waited // ttl)
    if slot and _trial_running(provider, gen, slot - 1, ttl):
        return Ticket(False, gen, state)
    if not store.add(_key(provider, gen, "trial", slot), clock.now(), ttl * 2):
        return Ticket(False, gen, state)
    if state == OPEN:
        _write(provider, {**record, "state": HALF_OPEN}, OPEN, HALF_OPEN, "cool-down over, one trial call let through")
    return Ticket(True, gen, HALF_OPEN, trial=True)


def breaker_record(provider, ticket: Ticket, outcome: str, error: str = "", counts=True):
    """Feed one call's outcome back. `error` is a short, secret-free description for the HealthEvent reason.

    `counts=False` (background refunds, status queries): recorded as an Attempt by call() but not health for
    "can customers start payments"; only a trial's outcome (never a background call) or a misconfiguration
    (the account itself is refused) moves the breaker then.
    """
    if not ticket.allowed:
        return
    if not counts and not ticket.trial and outcome != Attempt.Outcome.MISCONFIGURED:
        return
    if ticket.trial:
        if outcome in _HEALTHY:
            _transition(provider, ticket.gen, HALF_OPEN, CLOSED, "trial call succeeded")
        else:
            _transition(provider, ticket.gen, HALF_OPEN, OPEN, f"trial call failed: {error}")
        return
    gen, now = ticket.gen, clock.now()
    if outcome in _HEALTHY:
        if ticket.consecutive:
            store.set(_key(provider, "consecutive"), 0, _consecutive_ttl())
        if ticket.counting:
            _count(provider, gen, now, failed=False)
        return
    if outcome == Attempt.Outcome.MISCONFIGURED:
        _open(provider, gen, f"misconfigured: {error}")
        return
    if not ticket.counting:
        store.set(_key(provider, "failing"), 1, settings.BREAKER_WINDOW)
    _count(provider, gen, now, failed=True)
    if outcome in (Attempt.Outcome.UNAVAILABLE, Attempt.Outcome.INDETERMINATE):
        consecutive = store.incr(_key(provider, "consecutive"), _consecutive_ttl())
        if consecutive >= settings.BREAKER_CONSECUTIVE:
            _open(provider, gen, f"{consecutive} calls in a row failed, last: {error}")
            return
    calls, failures = _window(provider, gen, now)
    if calls >= settings.BREAKER_MIN_CALLS and failures * 100 >= settings.BREAKER_FAILURE_PERCENT * calls:
        _open(provider, gen, f"{failures} of {calls} calls failed within {settings.BREAKER_WINDOW} s, last: {error}")


def breaker_reset(provider) -> str:
    """Staff enabled or reconfigured the provider: back to closed with clean counters. Returns the old state."""
    record, _, _ = _read(provider)
    store.set(_key(provider, "state"), {"state": CLOSED, "since": clock.now(), "gen": record["gen"] + 1})
    store.set(_key(provider, "consecutive"), 0, _consecutive_ttl())
    return record["state"]


def health_event_create(provider, from_state, to_state, reason):
    # One transaction for the event and what receivers write about it (staff alerts in the outbox): both or neither.
    with transaction.atomic():
        event = HealthEvent.objects.create(
            provider=provider, from_state=from_state, to_state=to_state, reason=reason[:500]
        )
        # send_robust: a listener failing (e.g. its cache is down too) must never break the outside call or
        # checkout; listeners that write use a savepoint of their own, so a failed one leaves this transaction usable.
        for receiver, result in health_changed.send_robust(sender=HealthEvent, event=event):
            if isinstance(result, Exception):
                log.error("health_changed receiver %r failed: %r", receiver, result, exc_info=result)
    return event


# --- internals -------------------------------------------------------------------------------------------


def _bucket_seconds():
    return max(1, settings.BREAKER_WINDOW // 6)


def _count(provider, gen, now, failed):
    size = _bucket_seconds()
    bucket, ttl = int(now // size), settings.BREAKER_WINDOW + 2 * size
    store.incr(_key(provider, gen, "calls", bucket), ttl)
    if failed:
        store.incr(_key(provider, gen, "fails", bucket), ttl)


def _window(provider, gen, now):
    size = _bucket_seconds()
    last = int(now // size)
    buckets = range(last - settings.BREAKER_WINDOW // size, last + 1)
    keys = [_key(provider, gen, kind, b) for b in buckets for kind in ("calls", "fails")]
    values = store.get_many(keys, timeout=settings.BREAKER_WINDOW + 2 * size)
    calls = sum(values.get(_key(provider, gen, "calls", b), 0) for b in buckets)
    failures = sum(values.get(_key(provider, gen, "fails", b), 0) for b in buckets)
    return calls, failures


def _trial_running(provider, gen, slot, ttl):
    # Slots are counted from the end of the cool-down, not from the trial: a trial let through late in the previous
    # slot may still be on the wire when this one begins. Its token holds when it started (older tokens hold 1).
    key = _key(provider, gen, "trial", slot)
    started = store.get_many([key], timeout=ttl * 2).get(key)
    return started is not None and clock.now() - started < ttl


def _open(provider, gen, reason):
    # Many calls may cross the threshold at once, on many nodes; the one that adds this key opens the breaker.
    if store.add(_key(provider, gen, "opening"), 1, 86400):
        _write(provider, {"state": OPEN, "since": clock.now(), "gen": gen + 1}, CLOSED, OPEN, reason)


def _transition(provider, gen, from_state, to_state, reason):
    record, _, _ = _read(provider)
    if record["gen"] != gen:  # staff reset the breaker while the trial was out
        return
    _write(provider, {"state": to_state, "since": clock.now(), "gen": gen + 1}, from_state, to_state, reason)


def _write(provider, record, from_state, to_state, reason):
    store.set(_key(provider, "state"), record)
    if to_state != HALF_OPEN:
        store.set(_key(provider, "consecutive"), 0, _consecutive_ttl())
    level = logging.WARNING if to_state == OPEN else logging.INFO
    log.log(level, "Provider %s breaker %s -> %s: %s", provider.code, from_state, to_state, reason)
    health_event_create(provider, from_state, to_state, reason)
