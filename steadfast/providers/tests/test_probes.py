"""Probes: every enabled provider with a probe, through call(), feeding health; offline adapters skipped."""

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
