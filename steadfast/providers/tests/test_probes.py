"""Probes: every enabled provider with a probe, through call(), feeding health; offline adapters skipped."""

import time

import pytest

from steadfast.providers.models import Attempt
from steadfast.providers.probes import providers_probe
from steadfast.providers.selectors import provider_state
from steadfast.providers.tasks import providers_probe_task

pytestmark = pytest.mark.django_db


def test_probe_calls_each_enabled_provider_that_has_a_probe(make_provider, fake_server):
    online = make_provider()
    offline = make_provider(adapter="test_silent")
    disabled = make_provider(enabled=False)

    results = {r.provider.code: r.outcome for r in providers_probe()}

    assert results[online.code] == "ok"
    assert offline.code not in results and disabled.code not in results
    assert "cash_on_delivery" not in results  # offline gateways have no probe
    assert Attempt.objects.get(provider=online).operation == "probe"
    assert fake_server.requests == 1


def test_failing_probes_open_the_breaker_before_customers_notice(make_provider, fake_server):
    provider = make_provider()
    fake_server.set_fault("status", status=503)

    for _ in range(3):
        assert providers_probe(provider.code)[0].outcome == "unavailable"

    assert provider_state(provider) == "open"
    assert providers_probe(provider.code)[0].outcome == "rejected"
    assert fake_server.requests == 3


def test_probe_names_a_disabled_provider_explicitly(make_provider):
    provider = make_provider(enabled=False)
    assert [r.outcome for r in providers_probe(provider.code)] == ["ok"]


def test_the_periodic_task_runs_the_probe(make_provider, fake_server):
    provider = make_provider()
    providers_probe_task.call_local()
    assert Attempt.objects.filter(provider=provider, operation="probe", outcome="ok").count() == 1


def test_the_tick_probes_what_is_due_and_schedules_itself_once_for_the_next_due_probe(
    make_provider, fake_server, settings
):
    from datetime import UTC, datetime

    from huey.contrib.djhuey import HUEY

    from steadfast.providers.tasks import providers_probe_tick

    settings.PROBE_INTERVAL = 20  # sooner than the minute crontab: the tick must schedule the next one itself
    provider = make_provider()
    HUEY.immediate = True  # in-memory queue for this test: the scheduled tick is read back, not run
    try:
        started = time.time()
        next_at = providers_probe_tick()
        providers_probe_tick()  # a second worker's tick at the same moment: nothing due, nothing scheduled twice
        ticks = [t for t in HUEY.scheduled() if t.name.endswith("providers_probe_tick_task")]
    finally:
        HUEY.immediate = False

    assert Attempt.objects.filter(provider=provider, operation="probe").count() == 1
    assert started + 20 <= next_at <= time.time() + 20
    assert len(ticks) == 1, ticks
    eta = ticks[0].eta.replace(tzinfo=UTC) if ticks[0].eta.tzinfo is None else ticks[0].eta
    assert abs(eta - datetime.fromtimestamp(next_at, UTC)).total_seconds() < 1


def test_a_failing_provider_is_probed_again_within_seconds(make_provider, fake_server, settings):
    from steadfast.providers.probes import probe_due_at

    settings.PROBE_INTERVAL, settings.PROBE_RETRY_SECONDS = 30, 5
    provider = make_provider()
    providers_probe(provider.code)
    healthy_due = probe_due_at(provider)
    fake_server.set_fault("status", status=503)
    providers_probe(provider.code)

    assert healthy_due - time.time() > 25
    assert probe_due_at(provider) - time.time() <= 5
