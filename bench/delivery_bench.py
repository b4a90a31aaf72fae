"""Delivery-step figures (issue 12). Printed for people, never asserted.

    .venv/bin/python bench/delivery_bench.py                 # SQLite + database cache in a temporary directory
    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python bench/delivery_bench.py

Two CDEK fakes on 127.0.0.1 behind two carrier delivery methods. The delivery step is what the shopper waits for
when the delivery page is built: shipping.quotes.delivery_quotes(), which asks both carriers in parallel within
SHIPPING_QUOTE_DEADLINE (default here 1 s). Measured in alternating blocks in one run: both carriers healthy;
the second one hanging while its breaker is still closed (the worst case: the deadline); and the second one with
its breaker open (skipped without asking). Target: hanging - healthy <= deadline + 100 ms.

Then quotes per second (BENCH_SECONDS each, alternating, in-process): the delivery step with one carrier answering
live, against the same step with the carrier out (breaker open) and its price coming from the warm route cache
(shipping.routes, offered "estimated"); and the price read back at review/placement (shipping.quotes.delivery_quote).
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
    os.environ.setdefault("STEADFAST_DATA_DIR", tempfile.mkdtemp(prefix="steadfast-delivery-bench-"))
os.environ.setdefault("CACHE_KEY_PREFIX", "delivery-bench")
os.environ.setdefault("SHIPPING_QUOTE_DEADLINE", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from steadfast.fakes.cdek import FakeCdek  # noqa: E402
from steadfast.money import Money  # noqa: E402
from steadfast.providers.models import Provider  # noqa: E402
from steadfast.providers.selectors import provider_state  # noqa: E402
from steadfast.shipping.interface import Location, Parcel  # noqa: E402
from steadfast.shipping.models import DeliveryMethod  # noqa: E402
from steadfast.shipping.quotes import delivery_quotes  # noqa: E402

WARSAW = Location(country="PL", postcode="00-950", city="Warszawa")  # the shopper's "where to" at the delivery step
PARCEL = Parcel(weight_grams=1000)
BLOCK = int(os.environ.get("BENCH_BLOCK", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "1"))  # per throughput sample: bounded load


def carrier(fake, position):
    code = f"bench-{uuid.uuid4().hex[:8]}"  # fresh breaker keys on every run
    os.environ[f"STEADFAST_{code.upper().replace('-', '_')}_CLIENT_ID"] = "bench"
    os.environ[f"STEADFAST_{code.upper().replace('-', '_')}_CLIENT_SECRET"] = "bench-secret"
    provider = Provider.objects.create(
        kind="shipping", code=code, adapter="cdek", name=code, config={
            "api_base": fake.url, "connect_timeout": 1, "read_timeout": 30, "cooldown": 3600,
            "origin": {"carrier_code": "44"}})
    DeliveryMethod.objects.create(code=code, name=code, kind="carrier", provider=provider, position=position)
    return provider


def block(subtotal) -> list[float]:
    times = []
    for _ in range(BLOCK):
        started = time.perf_counter()
        quotes = delivery_quotes(subtotal, destination=WARSAW, parcel=PARCEL)
        times.append((time.perf_counter() - started) * 1000)
        assert quotes, "never an empty delivery list"
    return times


def per_second(work) -> float:
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < SECONDS:
        work()
        count += 1
    return count / (time.perf_counter() - started)


def throughput(steady, flaky, subtotal) -> tuple[float, float, float]:
    """Median quotes/s: `steady` live alone; `flaky` (breaker open) alone from the route cache; the read-back."""
    from steadfast.shipping.quotes import delivery_quote

    DeliveryMethod.objects.filter(provider=flaky).update(estimate_when_out=True, estimate_markup_percent=10)

    def only(provider):
        DeliveryMethod.objects.filter(kind="carrier").update(enabled=False)
        DeliveryMethod.objects.filter(provider=provider).update(enabled=True)

    def step():
        assert any(q.live for q in delivery_quotes(subtotal, destination=WARSAW, parcel=PARCEL))

    only(flaky)
    step()  # the estimate is shown, and remembered for the read-back
    code = DeliveryMethod.objects.get(provider=flaky).code
    assert delivery_quote(code, subtotal, WARSAW, PARCEL).estimated, "the route cache must be warm"
    live, cached, readback = [], [], []
    for _ in range(ROUNDS):
        only(steady)
        live.append(per_second(step))
        only(flaky)
        cached.append(per_second(step))
        readback.append(per_second(lambda: delivery_quote(code, subtotal, WARSAW, PARCEL)))
    return statistics.median(live), statistics.median(cached), statistics.median(readback)


def main():
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    first = FakeCdek(client_id="bench", client_secret="bench-secret").start()
    second = FakeCdek(client_id="bench", client_secret="bench-secret").start()
    steady = carrier(first, 1)
    flaky = carrier(second, 2)
    subtotal = Money.shop("50.00")
    settings.BREAKER_CONSECUTIVE = settings.BREAKER_MIN_CALLS = 10**6  # keep it closed: measure the hang itself
    block(subtotal)  # warm-up: tokens, connections
    healthy, hanging = [], []
    for _ in range(ROUNDS):
        second.set_fault("ok")
        healthy += block(subtotal)
        second.set_fault("hang")
        hanging += block(subtotal)
    settings.BREAKER_CONSECUTIVE, settings.BREAKER_MIN_CALLS = 3, 5
    while provider_state(flaky) != "open":
        delivery_quotes(subtotal, destination=WARSAW, parcel=PARCEL)
    skipped = block(subtotal)
    live, cached, readback = throughput(steady, flaky, subtotal)
    first.stop()
    second.stop()
    deadline = settings.SHIPPING_QUOTE_DEADLINE * 1000
    h, g, s = statistics.median(healthy), statistics.median(hanging), statistics.median(skipped)
    print(f"delivery step, 2 CDEK carriers, deadline {deadline:.0f} ms, {len(healthy)} samples each "
          f"({settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]})")
    print(f"  both healthy:                     median {h:7.1f} ms   max {max(healthy):7.1f} ms")
    print(f"  one hanging, breaker closed:      median {g:7.1f} ms   max {max(hanging):7.1f} ms   "
          f"(+{g - h:.0f} ms; target <= deadline + 100 = {deadline + 100:.0f} ms)")
    print(f"  one hanging, breaker open:        median {s:7.1f} ms   max {max(skipped):7.1f} ms   "
          f"(ratio to healthy {s / h:.2f})")
    cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    print(f"quotes per second, {ROUNDS} x {SECONDS:g} s each, one carrier method, {cache}:")
    print(f"  delivery step, carrier live:                 {live:8.0f} /s")
    print(f"  delivery step, carrier out, route cache warm: {cached:8.0f} /s   (x{cached / live:.1f} the live step)")
    print(f"  price read back at review/placement:          {readback:8.0f} /s")


if __name__ == "__main__":
    main()
