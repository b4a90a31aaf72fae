"""Active probes: find an outage before a customer does.

Every minute (tasks.providers_probe_task) each enabled provider whose adapter has a `probe(client)` method is
called through providers.call(provider, "probe", adapter.probe): a cheap authenticated read. The result is an
Attempt like any other and feeds the breaker, so a probe can open it and, after the cool-down, be the trial call
that closes it. Offline adapters (cash on delivery, bank transfer) have no probe and are skipped.

Daily test hook: an adapter may define `daily_test(run)`, a real test-mode operation end to end (for gateways:
a small payment and its refund). `run(operation, fn)` is call() bound to the provider with reference
"daily-test", so every step is recorded and feeds health. No adapter defines it yet: the gateways issue adds
them; tasks.providers_daily_test_task already runs it once a day.
"""

from dataclasses import dataclass
from functools import partial

from steadfast.providers.call import OUTCOME_OF, call
from steadfast.providers.errors import ProviderError
from steadfast.providers.models import Attempt, Provider
from steadfast.providers.registry import adapter_for


@dataclass(frozen=True)
class ProbeResult:
    provider: Provider
    outcome: str
    message: str = ""


def providers_probe(code: str | None = None) -> list[ProbeResult]:
    """Probe every enabled provider, or the one named by `code` (even disabled: staff checking before enabling)."""
    providers = Provider.objects.filter(code=code) if code else Provider.objects.filter(enabled=True)
    results = []
    for provider in providers.order_by("kind", "priority", "code"):
        adapter = adapter_for(provider)
        if callable(getattr(adapter, "probe", None)):
            results.append(_result(provider, call, provider, "probe", adapter.probe, reference="probe"))
    return results


def providers_daily_test() -> list[ProbeResult]:
    results = []
    for provider in Provider.objects.filter(enabled=True).order_by("kind", "priority", "code"):
        adapter = adapter_for(provider)
        if callable(getattr(adapter, "daily_test", None)):
            run = partial(call, provider, reference="daily-test")  # run(operation, fn)
            results.append(_result(provider, adapter.daily_test, run))
    return results


def _result(provider, fn, *args, **kwargs) -> ProbeResult:
    try:
        fn(*args, **kwargs)
    except ProviderError as error:
        return ProbeResult(provider, OUTCOME_OF.get(type(error), Attempt.Outcome.UNAVAILABLE), str(error))
    return ProbeResult(provider, Attempt.Outcome.OK)
