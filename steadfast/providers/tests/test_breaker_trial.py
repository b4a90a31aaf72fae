"""At most one trial call in flight per cool-down, on the database cache and on Redis, with threads racing for it.

Trial tokens are handed out per time slot (one slot = the longest a trial can take, plus a margin), so that a
trial whose process died is followed by a new one. A trial admitted late in its slot is still running when the next
slot begins; the next slot must not let a second trial out while the first one may still be on the wire.
"""

import os
import threading

import pytest
from django.core.management import call_command
from django.db import connections

from steadfast.cacheconf import redis_caches
from steadfast.providers.breaker import _trial_ttl, breaker_admit, cooldown
from steadfast.providers.call import call
from steadfast.providers.errors import Unavailable
from steadfast.providers.models import Attempt, HealthEvent
from steadfast.providers.registry import adapter_for
from steadfast.providers.selectors import provider_state
from steadfast.providers.store import store
from steadfast.providers.tests.gatedfake import GatedFake, breaker_opened
from steadfast.testing import WAIT_SECONDS, wait_until

DATABASE_CACHE = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "steadfast_cache",
                  "OPTIONS": {"MAX_ENTRIES": 100000}}


@pytest.fixture(params=["database", "redis"])
def breaker_store(request, settings):
    """The breaker's shared store: the database cache, or Redis (REDIS_URL; on a SQLite run the local Redis that runs
    beside every CI run, under a prefix of its own: unreachable, the test fails rather than skips)."""
    if request.param == "redis":
        url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
        prefix = os.environ.get("CACHE_KEY_PREFIX") or f"breaker-trial-{os.getpid()}"
        settings.CACHES = redis_caches(url, prefix)
        from django.core.cache import caches

        caches["default"].delete_pattern("*")  # only this prefix's keys: no breaker state from an earlier run
    else:
        settings.CACHES = {"default": DATABASE_CACHE, "lenient": DATABASE_CACHE}
        call_command("createcachetable", verbosity=0)  # a test database made for Redis has none
    store.local.clear()
    yield request.param
    store.local.clear()


def probe_in_thread(provider, results):
    def run():
        try:
            results.append(call(provider, "probe", adapter_for(provider).probe, reference="probe"))
        except Unavailable as error:
            results.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True)
def test_a_trial_still_in_flight_when_the_next_slot_begins_stays_the_only_one(
    transactional_db, breaker_store, make_provider, breaker_clock
):
    recovered = GatedFake().start()
    try:
        provider = breaker_opened(make_provider, recovered, read_timeout=WAIT_SECONDS + 10)
        arrived = recovered.arrived
        slot = _trial_ttl(provider)
        breaker_clock.advance(cooldown(provider) + slot - 1)  # the cool-down is over; one second left in the slot
        results = []
        first = probe_in_thread(provider, results)
        wait_until(lambda: recovered.arrived - arrived == 1, describe="the first trial to reach the provider",
                   show=lambda _: f"results {results!r}")

        breaker_clock.advance(2)  # the next slot has begun; the first trial is still held at the gate
        second = probe_in_thread(provider, results)
        wait_until(lambda: results or recovered.arrived - arrived > 1,
                   describe="the second probe to be turned away (or to reach the provider)",
                   show=lambda _: f"results {results!r}, requests {recovered.arrived - arrived}")
        recovered.gate.set()
        for thread in (first, second):
            thread.join(WAIT_SECONDS)
        assert not first.is_alive() and not second.is_alive(), "a probe still running"

        assert recovered.arrived - arrived == 1, "two trial calls were in flight at once"
        outcomes = Attempt.objects.filter(provider=provider).order_by("id").values_list("outcome", flat=True)
        assert sorted(outcomes[3:]) == ["ok", "rejected"]
        events = HealthEvent.objects.filter(provider=provider).order_by("created_at", "id")
        assert list(events.values_list("from_state", "to_state")) == [
            ("closed", "open"), ("open", "half_open"), ("half_open", "closed")]
        assert provider_state(provider) == "closed"
    finally:
        recovered.gate.set()
        recovered.stop()


@pytest.mark.django_db(transaction=True)
def test_a_trial_whose_caller_died_is_followed_by_one_in_the_next_slot(
    transactional_db, breaker_store, make_provider, breaker_clock
):
    """The reason for slots: a trial that never reports back (its process was killed) must not block recovery."""
    recovered = GatedFake().start()
    try:
        provider = breaker_opened(make_provider, recovered)
        recovered.gate.set()  # the provider answers again at once

        breaker_clock.advance(cooldown(provider) + 1)
        assert breaker_admit(provider).trial  # taken, and its caller dies without reporting back
        assert not breaker_admit(provider).allowed  # the dead trial's slot holds
        breaker_clock.advance(_trial_ttl(provider) + 1)  # its timeouts are long over
        assert call(provider, "probe", adapter_for(provider).probe, reference="probe") == {"ok": True}
        assert provider_state(provider) == "closed"
    finally:
        recovered.stop()
