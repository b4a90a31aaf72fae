"""Shipment creation after a 1-hour carrier outage with a backlog of BENCH_ORDERS (500) paid orders (issue 12).
Printed for people; the one thing asserted is the invariant: exactly one shipment per order at the carrier.

    .venv/bin/python bench/shipment_backlog_bench.py                 # SQLite + database cache in a temporary dir
    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python bench/shipment_backlog_bench.py

A CDEK fake on 127.0.0.1 answers 503 (the outage). 500 orders are placed and paid by bank transfer while it is out;
each gets its Shipment row, and the worker's first try (the task enqueued on payment) fails and backs off. The
outage lasts an hour on the worker's clock: sweeps at +1, +3, +7, +15, +31 min (the backoff doubles from
SHIPPING_RETRY_SECONDS; the breaker opens after a few failures and later attempts are skipped without a call).
Then the fake recovers, the probe closes the breaker (the provider's cool-down is 1 s here), and the minute's sweep
task runs as the worker runs it (shipping.tasks.shipments_drain: passes of at most 100 shipments, back to back while
they come back full, up to 50 s per run) on a clock an hour later, until every order is registered at the fake.

Printed: wall time from the recovery until the fake's ledger holds all 500, orders/s over that time, the runs of the
minute's task it took, and the time until every shipment is CREATED (a second look after CDEK's asynchronous
registration).
"""

import os
import signal
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "steadfast.settings")
os.environ.setdefault("LOG_LEVEL", "ERROR")
if not os.environ.get("DATABASE_URL"):
    os.environ.setdefault("STEADFAST_DATA_DIR", tempfile.mkdtemp(prefix="steadfast-backlog-bench-"))
os.environ.setdefault("CACHE_KEY_PREFIX", "backlog-bench")
os.environ.setdefault("HUEY_NAME", "backlog-bench")  # the tasks enqueued on payment wait here; the sweep does them

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from steadfast.catalog.models import Category, Product, Variant  # noqa: E402
from steadfast.checkout.services import CheckoutDetails, order_place  # noqa: E402
from steadfast.fakes.cdek import FakeCdek  # noqa: E402
from steadfast.orders.services import SYSTEM, order_mark_paid  # noqa: E402
from steadfast.payments.defaults import offline_methods_ensure  # noqa: E402
from steadfast.providers.models import Provider  # noqa: E402
from steadfast.providers.probes import providers_probe  # noqa: E402
from steadfast.providers.selectors import provider_state  # noqa: E402
from steadfast.shipping.interface import Location  # noqa: E402
from steadfast.shipping.models import DeliveryMethod, Shipment  # noqa: E402
from steadfast.shipping.parcels import parcel_for  # noqa: E402
from steadfast.shipping.quotes import carrier_quotes  # noqa: E402
from steadfast.shipping.tasks import shipments_drain, shipments_sweep  # noqa: E402

ORDERS = int(os.environ.get("BENCH_ORDERS", "500"))
TIMEOUT = int(os.environ.get("BENCH_TIMEOUT", "600"))  # seconds for the whole run: a stuck run fails, never hangs
OUTAGE_SWEEPS_MIN = (1, 3, 7, 15, 31)  # the worker's retries during the hour the carrier is out
MOSCOW = Location(country="RU", postcode="101000", city="Moscow")


def carrier(fake) -> DeliveryMethod:
    code = f"bench-{uuid.uuid4().hex[:8]}"  # fresh breaker keys on every run
    env = code.upper().replace("-", "_")
    os.environ[f"STEADFAST_{env}_CLIENT_ID"], os.environ[f"STEADFAST_{env}_CLIENT_SECRET"] = "bench", "bench-secret"
    provider = Provider.objects.create(kind="shipping", code=code, adapter="cdek", name=code, config={
        "api_base": fake.url, "connect_timeout": 1, "read_timeout": 10, "cooldown": 1,
        "origin": {"carrier_code": "44"}})
    return DeliveryMethod.objects.create(code=code, name=code, kind="carrier", provider=provider, service="137",
                                         countries=["RU"], position=1)


def backlog(method) -> list:
    """ORDERS paid orders going by `method`, placed and paid while the carrier is out."""
    # Not what is measured: the per-shopper cap on unpaid orders (the phone number is matched loosely).
    django.conf.settings.ORDER_MAX_OPEN_UNPAID = ORDERS + 1
    category, _ = Category.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    product = Product.objects.create(category=category, name="Bench jacket", slug=f"bench-{uuid.uuid4().hex[:8]}",
                                     weight_grams=900, length_cm=40, width_cm=30, height_cm=10)
    variant = Variant.objects.create(product=product, sku=f"B-{uuid.uuid4().hex[:8]}", price="49.00",
                                     stock=ORDERS + 10, options={"size": "M"})
    product.refresh_summary()
    details = CheckoutDetails(email="ann@example.com", phone="+7 900 100 20 30", full_name="Anna Ivanova",
                              delivery_method=method.code, payment_method="bank_transfer",
                              address_line1="Tverskaya 1", postcode="101000", city="Moscow", country="RU")
    orders = []
    for index in range(ORDERS):
        # The delivery step before each order (the price is read back at placement; the carrier is out, so it
        # is asked again for the first order only while quotes are still answered).
        if index == 0:
            assert carrier_quotes([method], variant.unit_price, MOSCOW, parcel_for([(variant, 1)]))[method.code]
        # 500 shoppers (the per-customer limit on unpaid orders applies to each one).
        shopper = replace(details, email=f"buyer{index}@example.com", phone=f"+7 900 {index:03d} 20 30")
        order, _ = order_place(lines=[(variant.pk, 1)], idempotency_key=f"backlog-{method.code}-{index}",
                               details=shopper)
        orders.append(order)
    return orders


def main():
    signal.signal(signal.SIGALRM, lambda *_: sys.exit(f"timed out after {TIMEOUT} s"))
    signal.alarm(TIMEOUT)
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    offline_methods_ensure(Provider)
    fake = FakeCdek(client_id="bench", client_secret="bench-secret").start()
    method = carrier(fake)
    orders = backlog(method)  # quoted and placed while the carrier still answered quotes

    fake.set_fault("status", status=503)  # the outage: every call fails
    start = timezone.now()
    for order in orders:
        with transaction.atomic():
            order_mark_paid(order, SYSTEM)
    shipments_sweep(start)  # the task enqueued on payment: first try, fails, backs off
    for minutes in OUTAGE_SWEEPS_MIN:
        shipments_sweep(start + timedelta(minutes=minutes))
    waiting = Shipment.objects.filter(order__in=orders, state=Shipment.State.WAITING).count()
    assert fake.ledger.shipments == [], "nothing may reach a carrier that is out"

    fake.set_fault("ok")  # the carrier is back
    recovered, clock, passes = time.perf_counter(), start + timedelta(hours=2), 0
    while provider_state(method.provider) != "closed":  # the probe's trial call after the cool-down
        providers_probe(method.provider.code)
        time.sleep(0.2)
    while len(fake.ledger.shipments) < ORDERS:
        handled = shipments_drain(clock)  # one run of the minute's task
        passes += 1
        clock += timedelta(minutes=1)
        assert handled or passes < 50, f"stuck at {len(fake.ledger.shipments)} of {ORDERS} shipments"
    all_at_fake = time.perf_counter() - recovered
    while Shipment.objects.filter(order__in=orders).exclude(state=Shipment.State.CREATED).exists():
        clock += timedelta(minutes=1)  # CDEK registers asynchronously: the next sweep reads the result back
        shipments_sweep(clock)
    all_created = time.perf_counter() - recovered
    fake.stop()

    numbers = [number for number, _ in fake.ledger.shipments]
    assert len(numbers) == ORDERS and set(numbers) == {o.number for o in orders}, (
        f"expected exactly one shipment per order: {len(numbers)} shipments for {len(set(numbers))} orders")
    engine = django.conf.settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"shipment backlog after a 1-hour carrier outage: {ORDERS} paid orders, CDEK fake ({engine})")
    print(f"  waiting when the carrier came back:  {waiting} shipments, none at the carrier")
    print(f"  recovery -> all {ORDERS} at the fake:    {all_at_fake:6.1f} s   ({ORDERS / all_at_fake:5.1f} orders/s, "
          f"{passes} run(s) of the minute's sweep task)")
    print(f"  recovery -> all CREATED:             {all_created:6.1f} s   (tracking numbers read back)")
    print(f"  fake's ledger: {len(numbers)} shipments, {len(set(numbers))} distinct orders (exactly one each)")


if __name__ == "__main__":
    main()
