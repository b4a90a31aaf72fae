"""Payment-step figures (issue 4). Printed for people, never asserted.

    .venv/bin/python bench/payments_bench.py                 # SQLite + database cache in a temporary directory
    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python bench/payments_bench.py

Two Stripe fakes on 127.0.0.1: a primary gateway and a backup one (same adapter, so the only difference measured
is the routing). The payment step is what the shopper waits for after "place order": the routing decision
(payments.routing.payment_methods, first available online method) plus payment_start up to the redirect URL.

Prints: payment-step latency with every gateway healthy versus the primary down with its breaker open,
measured in alternating blocks in one run, as medians and a ratio (target <= 1.1); then, through the same
payment step, calls and seconds from the primary's first failure to its breaker opening (HTTP 503, and read
timeouts) and seconds from its recovery to the breaker closing under steady shopper traffic.
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
    os.environ.setdefault("STEADFAST_DATA_DIR", tempfile.mkdtemp(prefix="steadfast-payments-bench-"))
os.environ.setdefault("CACHE_KEY_PREFIX", "payments-bench")
os.environ.setdefault("PAYMENT_RECOVERY_EMAILS", "0")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from steadfast.catalog.models import Category, Product, Variant  # noqa: E402
from steadfast.checkout.services import CheckoutDetails, order_place  # noqa: E402
from steadfast.fakes.stripe import FakeStripe  # noqa: E402
from steadfast.payments import routing  # noqa: E402
from steadfast.payments.services import PaymentFailed, payment_start  # noqa: E402
from steadfast.providers.models import Provider  # noqa: E402
from steadfast.providers.selectors import provider_state  # noqa: E402

KEY = "sk_test_bench"
BLOCK = int(os.environ.get("BENCH_BLOCK", "25"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "8"))
RETURN = "http://127.0.0.1:8000/orders/bench/"


def gateway(fake, priority, **config):
    code = f"bench_{uuid.uuid4().hex[:8]}"  # fresh breaker keys on every run
    os.environ[f"STEADFAST_{code.upper()}_SECRET_KEY"] = KEY
    config = {"api_base": fake.url, "connect_timeout": 1, "read_timeout": 0.5, "cooldown": 3600, **config}
    return Provider.objects.create(kind="payment", code=code, adapter="stripe", name=code, priority=priority,
                                   config=config)


def orders(variant, payment_method, count):
    details = CheckoutDetails(email="bench@example.com", phone="+48 600 100 200", full_name="Bench Shopper",
                              delivery_method="courier", payment_method=payment_method, address_line1="ul. Długa 5",
                              postcode="00-950", city="Warszawa", country="PL")
    return [order_place(lines=[(variant.pk, 1)], details=details, idempotency_key=uuid.uuid4().hex)[0]
            for _ in range(count)]


def payment_step(order):
    """The shopper's wait after placing: which method (routing), then the start up to the redirect URL."""
    started = time.perf_counter()
    provider = next(c.provider for c in routing.payment_methods(order).choices if c.available and not c.offline)
    try:
        payment_start(order, provider, return_url=RETURN)
    except PaymentFailed:
        pass
    return time.perf_counter() - started, provider


def open_breaker(fake, provider):
    fake.set_fault("status", status=503)
    while provider_state(provider) != "open":
        payment_step(orders(VARIANT, provider.code, 1)[0])


def side_by_side(primary_fake, backup):
    """Alternating blocks, healthy first in even rounds and down first in odd ones, so drift in the machine's load
    falls on both sides. Each block gets a fresh primary, as a gateway that has not failed lately is: recent
    failures make the breaker count every call in its window, which is not the "all healthy" case."""
    samples, routed = {"healthy": [], "down": []}, set()
    for round_number in range(ROUNDS):
        sides = ("healthy", "down") if round_number % 2 == 0 else ("down", "healthy")
        for side in sides:
            primary_fake.set_fault("ok")
            primary = gateway(primary_fake, 10)
            payment_step(orders(VARIANT, primary.code, 1)[0])  # warm this provider's first queries
            if side == "down":
                open_breaker(primary_fake, primary)
            expected = primary.code if side == "healthy" else backup.code
            for order in orders(VARIANT, primary.code, BLOCK):
                seconds, provider = payment_step(order)
                samples[side].append(seconds)
                routed.add(provider.code == expected)
            primary.enabled = False  # the next block's primary takes its place
            primary.save()
    assert routed == {True}, "the bench did not route as it says"
    return samples["healthy"], samples["down"]


def time_to_open(fake, mode, **options):
    primary = gateway(fake, 5)
    pool = orders(VARIANT, primary.code, 50)
    fake.set_fault(mode, **options)
    calls, started = 0, time.perf_counter()
    while provider_state(primary) != "open":
        payment_step(pool[calls])
        calls += 1
    seconds = time.perf_counter() - started
    primary.enabled = False  # out of the way of the next measurement
    primary.save()
    return calls, seconds


def time_to_close(fake, cooldown):
    primary = gateway(fake, 5, cooldown=cooldown)
    pool = orders(VARIANT, primary.code, 2000)
    open_breaker(fake, primary)
    fake.set_fault("ok")  # the gateway recovers right after its breaker opened
    recovered, customers = time.perf_counter(), 0
    while provider_state(primary) != "closed":
        payment_step(pool[customers])  # shoppers keep paying (through the backup) every 10 ms
        customers += 1
        time.sleep(0.01)
    primary.enabled = False
    primary.save()
    return customers, time.perf_counter() - recovered


def ms(samples, q=None):
    if q is None:
        return statistics.median(samples) * 1000
    return statistics.quantiles(samples, n=100)[q - 1] * 1000


def main():
    global VARIANT
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    category = Category.objects.get_or_create(slug="bench", defaults={"name": "Bench"})[0]
    product = Product.objects.create(category=category, name="Bench item", slug=f"bench-{uuid.uuid4().hex[:8]}")
    VARIANT = Variant.objects.create(product=product, sku=f"B-{uuid.uuid4().hex[:8]}", price="20.00", stock=10**7,
                                     options={})
    primary_fake, backup_fake = FakeStripe(api_key=KEY).start(), FakeStripe(api_key=KEY).start()
    db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    store = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    print(f"payments bench: {db} database, {store} breaker store, Stripe fakes on 127.0.0.1, "
          f"{ROUNDS} rounds x {BLOCK} payments per side")
    try:
        backup = gateway(backup_fake, 20)
        healthy, down = side_by_side(primary_fake, backup)
        print(f"payment step, all healthy:            median {ms(healthy):.1f} ms, p90 {ms(healthy, 90):.1f} ms")
        print(f"payment step, primary down (open):    median {ms(down):.1f} ms, p90 {ms(down, 90):.1f} ms")
        print(f"ratio down / healthy: median {ms(down) / ms(healthy):.2f}, p90 {ms(down, 90) / ms(healthy, 90):.2f}"
              f" (target <= 1.1)")

        print(f"thresholds: {settings.BREAKER_CONSECUTIVE} Unavailable in a row, or >= {settings.BREAKER_MIN_CALLS} "
              f"calls with >= {settings.BREAKER_FAILURE_PERCENT} % failed within {settings.BREAKER_WINDOW} s")
        for label, mode, options in (("HTTP 503", "status", {"status": 503}), ("read timeout 0.5 s", "hang", {})):
            calls, seconds = time_to_open(primary_fake, mode, **options)
            print(f"first failure -> open ({label}): {calls} payment attempts, {seconds:.3f} s")
        cooldown = 1.0
        customers, seconds = time_to_close(primary_fake, cooldown)
        print(f"recovery -> closed (cool-down {cooldown:g} s, a shopper every ~10 ms): {seconds:.3f} s, "
              f"{customers} shoppers meanwhile (paid through the backup)")
    finally:
        primary_fake.stop()
        backup_fake.stop()


VARIANT = None

if __name__ == "__main__":
    main()
