"""The breaker: opens on failures, rejects without touching the provider, one trial call, closes on recovery."""

import logging
import threading

import pytest
from django.db import connections

from steadfast.cacheconf import redis_caches
from steadfast.providers.breaker import cooldown
from steadfast.providers.call import call
from steadfast.providers.errors import Unavailable
from steadfast.providers.models import Attempt, HealthEvent
from steadfast.providers.registry import adapter_for
from steadfast.providers.selectors import provider_state, providers_available
from steadfast.providers.tests.adapters import ping
from steadfast.providers.tests.gatedfake import GatedFake, breaker_opened
from steadfast.testing import WAIT_SECONDS, wait_until


def transitions(provider):
    events = HealthEvent.objects.filter(provider=provider).order_by("created_at", "id")
    return list(events.values_list("from_state", "to_state"))


def outcomes(provider):
    return list(Attempt.objects.filter(provider=provider).order_by("id").values_list("outcome", flat=True))


def wait_out_cooldown(provider, clock):
    clock.advance(cooldown(provider) + 1)  # the breaker's clock, moved by the test: no waiting, no margin


@pytest.mark.django_db
def test_opens_after_three_consecutive_unavailable_and_rejects_without_calling(make_provider, fake_server):
    provider = make_provider()
    fake_server.set_fault("status", status=503)

    for _ in range(3):
        with pytest.raises(Unavailable):
            ping(provider)
    assert provider_state(provider) == "open"
    assert transitions(provider) == [("closed", "open")]
    assert "3 calls in a row" in HealthEvent.objects.get(provider=provider).reason

    with pytest.raises(Unavailable, match="out of service"):
        ping(provider, reference="SF-2001")
    assert fake_server.requests == 3  # the fourth call never left the building
    assert outcomes(provider) == ["unavailable"] * 3 + ["rejected"]
    assert Attempt.objects.filter(provider=provider).order_by("id").last().reference == "SF-2001"


@pytest.mark.django_db
def test_opens_on_failure_rate_without_consecutive_failures(make_provider, fake_server):
    provider = make_provider()
    # The window counts calls from the first recent failure on: 3 of those 5 failed, never 2 in a row.
    for fault in ("ok", "fail", "ok", "fail", "ok", "fail"):
        fake_server.set_fault("status", status=503, times=1) if fault == "fail" else fake_server.set_fault("ok")
        try:
            ping(provider)
        except Unavailable:
            pass

    assert provider_state(provider) == "open"
    assert "3 of 5 calls failed" in HealthEvent.objects.get(provider=provider).reason


@pytest.mark.django_db
def test_successes_keep_it_closed(make_provider, fake_server):
    provider = make_provider()
    # Under 50 % failed at every failure (1/1, 2/5, 3/8, 4/9), at most 2 in a row.
    for fault in ("fail", "ok", "ok", "ok", "fail", "ok", "ok", "fail", "fail", "ok", "ok", "ok"):
        fake_server.set_fault("status", status=503, times=1) if fault == "fail" else fake_server.set_fault("ok")
        try:
            ping(provider)
        except Unavailable:
            pass

    assert provider_state(provider) == "closed"
    assert not HealthEvent.objects.filter(provider=provider).exists()


@pytest.mark.django_db
def test_misconfigured_opens_at_once(make_provider, fake_server):
    provider = make_provider()
    fake_server.set_fault("status", status=401)

    with pytest.raises(Exception, match="HTTP 401"):
        ping(provider)

    assert provider_state(provider) == "open"
    assert HealthEvent.objects.get(provider=provider).reason.startswith("misconfigured")


def probe(provider):
    """The background probe's call: the only one that may be the trial after a cool-down."""
    return call(provider, "probe", adapter_for(provider).probe, reference="probe")


@pytest.mark.django_db
def test_after_the_cool_down_the_probe_is_the_trial_never_a_customer(make_provider, fake_server, breaker_clock):
    provider = make_provider()
    fake_server.set_fault("status", status=503)
    for _ in range(3):
        with pytest.raises(Unavailable):
            ping(provider)
    wait_out_cooldown(provider, breaker_clock)

    with pytest.raises(Unavailable, match="out of service"):
        ping(provider, reference="SF-2002")  # a customer after the cool-down: refused at once, nothing sent
    assert fake_server.requests == 3
    with pytest.raises(Unavailable, match="HTTP 503"):
        probe(provider)  # the trial

    assert fake_server.requests == 4
    assert transitions(provider) == [("closed", "open"), ("open", "half_open"), ("half_open", "open")]
    assert provider_state(provider) == "open"


@pytest.mark.django_db(transaction=True)
def test_half_open_lets_exactly_one_of_five_concurrent_probes_through(
    transactional_db, make_provider, fake_server, breaker_clock
):
    recovered = GatedFake().start()  # recovered, and holding its answer until the other four have been turned away
    try:
        # The trial's read timeout outlasts the gate: it waits for the test, not against a clock.
        provider = breaker_opened(make_provider, recovered, read_timeout=WAIT_SECONDS + 10)
        wait_out_cooldown(provider, breaker_clock)
        before = recovered.requests
        start, results = threading.Barrier(5), []

        def prober():  # e.g. probe ticks on several workers: only a probe may be the trial
            try:
                start.wait()
                try:
                    results.append(probe(provider))
                except Unavailable as error:
                    results.append(error)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=prober) for _ in range(5)]
        for thread in threads:
            thread.start()
        wait_until(lambda: len(results) == 4 and results, describe="four of five probes rejected while the trial runs",
                   show=lambda _: f"results so far {results!r}, trial requests {recovered.requests - before}")
        recovered.gate.set()
        for thread in threads:
            thread.join(WAIT_SECONDS)
        assert not any(thread.is_alive() for thread in threads), "a probe still running"

        assert recovered.requests - before == 1
        assert results.count({"ok": True}) == 1
        assert sorted(outcomes(provider)[3:]) == ["ok"] + ["rejected"] * 4
        assert provider_state(provider) == "closed"
        assert transitions(provider) == [("closed", "open"), ("open", "half_open"), ("half_open", "closed")]
        assert ping(provider) == {"ok": True}  # closed: everyone through again
    finally:
        recovered.gate.set()
        recovered.stop()


@pytest.mark.django_db
def test_open_provider_stays_off_the_available_list_until_a_probe_trial_succeeds(
    make_provider, fake_server, breaker_clock
):
    healthy, failing = make_provider(), make_provider()
    make_provider(enabled=False)
    fake_server.set_fault("status", status=503)
    for _ in range(3):
        with pytest.raises(Unavailable):
            ping(failing)

    def available():
        return sorted(p.code for p in providers_available("payment") if p.code.startswith("test-"))

    assert available() == [healthy.code]
    wait_out_cooldown(failing, breaker_clock)
    assert available() == [healthy.code]  # cool-down over, but no customer is offered the trial
    fake_server.set_fault("ok")
    assert probe(failing) == {"ok": True}
    assert available() == sorted([healthy.code, failing.code])


@pytest.mark.django_db
def test_a_provider_nothing_can_probe_keeps_the_first_call_after_the_cool_down_as_its_trial(
    make_provider, fake_server, breaker_clock
):
    provider = make_provider(adapter="test_unprobed")
    fake_server.set_fault("status", status=503)
    for _ in range(3):
        with pytest.raises(Unavailable):
            ping(provider)
    wait_out_cooldown(provider, breaker_clock)
    assert provider.code in [p.code for p in providers_available("payment")]
    fake_server.set_fault("ok")
    assert ping(provider) == {"ok": True}
    assert transitions(provider)[-1] == ("half_open", "closed")


@pytest.mark.django_db
def test_cache_failure_falls_back_to_local_state(make_provider, fake_server, settings, caplog):
    provider = make_provider()
    settings.CACHES = redis_caches("redis://127.0.0.1:1/0", timeout=0.5)

    with caplog.at_level(logging.WARNING, logger="steadfast.providers.store"):
        assert ping(provider) == {"ok": True}
        fake_server.set_fault("status", status=503)
        for _ in range(3):
            with pytest.raises(Unavailable, match="HTTP 503"):
                ping(provider)
        with pytest.raises(Unavailable, match="out of service"):
            ping(provider)

    assert "using process-local breaker state" in caplog.text
    assert fake_server.requests == 4
    assert outcomes(provider) == ["ok", "unavailable", "unavailable", "unavailable", "rejected"]
    assert transitions(provider) == [("closed", "open")]
