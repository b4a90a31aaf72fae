"""Active probes: find an outage before a customer does, and make the trial call after a cool-down.

Each enabled provider whose adapter has a `probe(client)` method (a cheap authenticated read) is called through
providers.call(provider, "probe", adapter.probe): the result is an Attempt like any other and feeds the breaker.
Offline adapters (cash on delivery, bank transfer) have no probe and are skipped.

When (providers_probe_due, run by tasks.providers_probe_tick on a self-rescheduling Huey task and a minute
crontab as its safety net):
- healthy: every PROBE_INTERVAL seconds;
- its last call failed (a probe's or a customer's): again after PROBE_RETRY_SECONDS, so BREAKER_CONSECUTIVE
  failures in a row open the breaker within seconds of the first one, with no shopper traffic at all;
- breaker open: as soon as the cool-down is over. That probe is the one trial call (customers never are); it
  closes the breaker on success, and the method is offered again only then.
A probe waits at most PROBE_READ_TIMEOUT seconds for an answer (a hanging provider is found quickly); a timeout
is Indeterminate and counts as a failure.

Diagnostics from a shell (`manage.py providers probe CODE`) run provider_probe_dry_run(): the same call without
an Attempt or breaker change, so a shell missing the gateway's secret cannot take it out for everyone.

Daily test hook: an adapter may define `daily_test(run)`, a real test-mode operation end to end (for gateways:
a small payment and its refund). `run(operation, fn)` is call() bound to the provider with reference
"daily-test", so every step is recorded and feeds health. tasks.providers_daily_test_task runs it once a day.
"""

import copy
import time
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings

from steadfast.providers.breaker import HALF_OPEN, OPEN, breaker_view
from steadfast.providers.call import OUTCOME_OF, PROBE, call, call_unrecorded, timeouts
from steadfast.providers.errors import ProviderError
from steadfast.providers.models import Attempt, Provider
from steadfast.providers.registry import adapter_for, has_probe
from steadfast.providers.secrets import provider_secret_env, provider_secret_values
from steadfast.providers.store import store


@dataclass(frozen=True)
class ProbeResult:
    provider: Provider
    outcome: str
    message: str = ""


@dataclass(frozen=True)
class ProbeRound:
    results: list = field(default_factory=list)
    next_at: float | None = None  # epoch seconds when the next probe falls due (None: nothing to probe)


def providers_probe(code: str | None = None) -> list[ProbeResult]:
    """Probe every enabled provider now, or the one named by `code` (even disabled: staff checking before
    enabling). Recorded: feeds the breaker like the scheduled probe."""
    providers = Provider.objects.filter(code=code) if code else Provider.objects.filter(enabled=True)
    return [_probe(p) for p in providers.order_by("kind", "priority", "code") if has_probe(p)]


def providers_probe_dry_run(code: str | None = None) -> list[ProbeResult]:
    """Like providers_probe, but recording nothing: what a probe from this process sees."""
    providers = Provider.objects.filter(code=code) if code else Provider.objects.filter(enabled=True)
    return [provider_probe_dry_run(p) for p in providers.order_by("kind", "priority", "code") if has_probe(p)]


def providers_probe_due() -> ProbeRound:
    """Probe the providers whose probe is due (see the module doc); say when the next one falls due.

    Several workers may run this at once: each due probe is claimed with an atomic add, so it runs once.
    """
    probed = [p for p in Provider.objects.filter(enabled=True).order_by("kind", "priority", "code") if has_probe(p)]
    results = []
    for provider in probed:
        due = probe_due_at(provider)
        if due <= time.time() and store.add(_key(provider, "claim", int(due * 1000)), 1, _probe_seconds(provider)):
            results.append(_probe(provider))
    return ProbeRound(results, min((probe_due_at(p) for p in probed), default=None))


def probe_due_at(provider) -> float:
    view = breaker_view(provider)
    last = store.get_many([_key(provider, "last")]).get(_key(provider, "last"), 0.0)
    if view.state == OPEN:
        return view.retry_at
    if view.state == HALF_OPEN or view.failures_in_a_row:
        return last + settings.PROBE_RETRY_SECONDS
    return last + settings.PROBE_INTERVAL


def provider_probe_dry_run(provider) -> ProbeResult:
    """What a probe from this process sees, without recording anything (no Attempt, no breaker change)."""
    try:
        call_unrecorded(_with_probe_timeout(provider), adapter_for(provider).probe)
    except ProviderError as error:
        return ProbeResult(provider, OUTCOME_OF.get(type(error), Attempt.Outcome.UNAVAILABLE), str(error))
    return ProbeResult(provider, Attempt.Outcome.OK)


def secrets_missing_hint(provider) -> str:
    """A note when this process has none of the provider's secrets: its failure may be this shell's, not the
    provider's (the web and worker processes read their own environment)."""
    if provider_secret_values(provider):
        return ""
    return f"this process has no {provider_secret_env(provider.code, '')}* variables in its environment"


def providers_daily_test() -> list[ProbeResult]:
    results = []
    for provider in Provider.objects.filter(enabled=True).order_by("kind", "priority", "code"):
        adapter = adapter_for(provider)
        if callable(getattr(adapter, "daily_test", None)):
            run = partial(call, provider, reference="daily-test")  # run(operation, fn)
            results.append(_result(provider, adapter.daily_test, run))
    return results


def _probe(provider) -> ProbeResult:
    try:
        return _result(provider, call, _with_probe_timeout(provider), PROBE, adapter_for(provider).probe,
                       reference="probe")
    finally:
        store.set(_key(provider, "last"), time.time(), 10 * settings.PROBE_INTERVAL)


def _with_probe_timeout(provider):
    """The provider as the probe calls it: waiting at most PROBE_READ_TIMEOUT for an answer."""
    if timeouts(provider)[1] <= settings.PROBE_READ_TIMEOUT:
        return provider
    probing = copy.copy(provider)
    probing.config = {**provider.config, "read_timeout": settings.PROBE_READ_TIMEOUT}
    return probing


def _probe_seconds(provider) -> float:
    connect, read = timeouts(_with_probe_timeout(provider))
    return connect + read + 5


def _key(provider, *parts):
    return ":".join(("sf:probe", provider.code, *map(str, parts)))


def _result(provider, fn, *args, **kwargs) -> ProbeResult:
    try:
        fn(*args, **kwargs)
    except ProviderError as error:
        return ProbeResult(provider, OUTCOME_OF.get(type(error), Attempt.Outcome.UNAVAILABLE), str(error))
    return ProbeResult(provider, Attempt.Outcome.OK)
