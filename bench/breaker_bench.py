"""Breaker and call() figures (issue 4). Printed for people, never asserted.

    .venv/bin/python bench/breaker_bench.py                 # SQLite + database cache in a temporary directory
    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python bench/breaker_bench.py

Prints: calls and seconds from the first failure to the breaker opening (HTTP 503, and read timeouts);
seconds from the provider's recovery to the breaker closing; call() overhead per call against a fake answering
at once (median µs) versus a bare httpx call on a pooled client, as a ratio.
"""

import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "steadfast.settings")
os.environ.setdefault("LOG_LEVEL", "ERROR")
if not os.environ.get("DATABASE_URL"):
    os.environ.setdefault("STEADFAST_DATA_DIR", tempfile.mkdtemp(prefix="steadfast-breaker-bench-"))
os.environ.setdefault("CACHE_KEY_PREFIX", "breaker-bench")

import django  # noqa: E402

django.setup()

import httpx  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from steadfast.fakes.server import FakeServer  # noqa: E402
from steadfast.providers.call import call, check_response  # noqa: E402
from steadfast.providers.errors import ProviderError  # noqa: E402
from steadfast.providers.models import Provider  # noqa: E402
from steadfast.providers.probes import providers_probe_due  # noqa: E402
from steadfast.providers.selectors import provider_state  # noqa: E402

CALLS = int(os.environ.get("BENCH_CALLS", "2000"))


def ping(client):
    return check_response(client.get("/ping")).content


def make_provider(fake, **config):
    code = f"bench-{uuid.uuid4().hex[:8]}"  # fresh breaker keys on every run
    config = {"api_base": fake.url, "connect_timeout": 1, "read_timeout": 0.5, **config}
    return Provider.objects.create(kind="payment", code=code, adapter="bench", name=code, config=config)


def time_to_open(fake, mode, **options):
    provider = make_provider(fake, cooldown=60)
    fake.set_fault(mode, **options)
    calls, started = 0, time.perf_counter()
    while provider_state(provider) != "open":
        calls += 1
        try:
            call(provider, "ping", ping)
        except ProviderError:
            pass
    return calls, time.perf_counter() - started


def time_to_close(fake, cooldown):
    provider = make_provider(fake, cooldown=cooldown)
    fake.set_fault("status", status=503)
    while provider_state(provider) != "open":
        try:
            call(provider, "ping", ping)
        except ProviderError:
            pass
    fake.set_fault("ok")  # the provider recovers right after the breaker opened
    recovered, calls = time.perf_counter(), 0
    while provider_state(provider) != "closed":
        calls += 1  # customers keep arriving every 10 ms and are turned away at once; the probe makes the trial
        providers_probe_due()
        try:
            call(provider, "ping", ping)
        except ProviderError:
            time.sleep(0.01)
    return calls, time.perf_counter() - recovered


def median_us(fn, n):
    samples = []
    for _ in range(n):
        started = time.perf_counter_ns()
        fn()
        samples.append(time.perf_counter_ns() - started)
    return statistics.median(samples) / 1000


def main():
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    fake = FakeServer().start()
    db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    store = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    print(f"breaker bench: {db} database, {store} breaker store, {CALLS} calls per overhead sample")
    print(f"thresholds: {settings.BREAKER_CONSECUTIVE} failures in a row, or >= {settings.BREAKER_MIN_CALLS} calls "
          f"with >= {settings.BREAKER_FAILURE_PERCENT} % failed within {settings.BREAKER_WINDOW} s")
    try:
        for label, mode, options in (("HTTP 503", "status", {"status": 503}), ("read timeout 0.5 s", "hang", {})):
            calls, seconds = time_to_open(fake, mode, **options)
            print(f"first failure -> open ({label}): {calls} calls, {seconds:.3f} s")
        cooldown = 1.0
        calls, seconds = time_to_close(fake, cooldown)
        print(f"recovery -> closed (cool-down {cooldown:g} s, trial by the probe, traffic every 10 ms): "
              f"{seconds:.3f} s, {calls} calls")

        fake.set_fault("ok")
        provider = make_provider(fake)
        bare = httpx.Client(base_url=fake.url, timeout=httpx.Timeout(0.5, connect=1), trust_env=False)
        for _ in range(50):  # warm both paths (pool, caches, first queries)
            call(provider, "ping", ping)
            ping(bare)
        bare_us = median_us(lambda: ping(bare), CALLS)
        call_us = median_us(lambda: call(provider, "ping", ping), CALLS)
        print(f"bare httpx call (pooled client): median {bare_us:.0f} µs")
        print(f"call() with breaker + Attempt row: median {call_us:.0f} µs "
              f"(+{call_us - bare_us:.0f} µs per call, ratio {call_us / bare_us:.2f})")
        bare.close()
    finally:
        fake.stop()


if __name__ == "__main__":
    settings.STEADFAST_ADAPTERS["bench"] = "steadfast.providers.tests.adapters.PingAdapter"
    main()
