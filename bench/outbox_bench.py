"""Outbox figures (issue 11). Printed for people, never asserted.

    .venv/bin/python bench/outbox_bench.py                 # SQLite + database cache in a temporary directory
    DATABASE_URL=postgres://.../steadfast_outbox_bench REDIS_URL=redis://... .venv/bin/python bench/outbox_bench.py
                                                           # a database of its own (createdb it first): it writes

Prints: delivery throughput (messages/s) to a Telegram fake on 127.0.0.1 with 1 and 2 worker threads sweeping the
same outbox; how long a message waits from its commit to its first delivery attempt with a real Huey consumer
(fast path: enqueued on commit); the cost the outbox adds to placing an order (order_place with its confirmation
row versus the same without it, median ms and ratio).
"""

import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "steadfast.settings")
os.environ.setdefault("LOG_LEVEL", "ERROR")
if not os.environ.get("DATABASE_URL"):
    os.environ.setdefault("STEADFAST_DATA_DIR", tempfile.mkdtemp(prefix="steadfast-outbox-bench-"))
os.environ.setdefault("CACHE_KEY_PREFIX", "outbox-bench")
# Every bench order is an unpaid cash-on-delivery order from one customer: the hoarding limits (issue 10) would
# refuse the fourth and hold it for e-mail confirmation.
os.environ["ORDER_MAX_OPEN_UNPAID"] = "1000000"
os.environ["OFFLINE_CONFIRM_MINUTES"] = "0"
os.environ.setdefault("HUEY_NAME", "outbox-bench")
os.environ["STEADFAST_BENCH_TG_BOT_TOKEN"] = "123456:fake-token"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections, transaction  # noqa: E402

from steadfast.fakes.messaging import FakeTelegram  # noqa: E402
from steadfast.notify.models import DeliveryAttempt, MessageChain, OutboxMessage  # noqa: E402
from steadfast.notify.outbox import outbox_add  # noqa: E402
from steadfast.notify.tasks import outbox_sweep  # noqa: E402
from steadfast.providers.models import Provider  # noqa: E402

MESSAGES = int(os.environ.get("BENCH_MESSAGES", "400"))
ORDERS = int(os.environ.get("BENCH_ORDERS", "60"))


def setup(fake):
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    OutboxMessage.objects.all().delete()
    Provider.objects.filter(kind="notify").exclude(code="email").delete()
    Provider.objects.create(kind="notify", code="bench-tg", adapter="telegram", name="Bench Telegram", priority=1,
                            config={"api_base": fake.url, "connect_timeout": 2, "read_timeout": 5})
    MessageChain.objects.update_or_create(name="customer", defaults={"channels": "telegram"})


def write(count, prefix):
    with transaction.atomic():
        for n in range(count):
            outbox_add(key=f"{prefix}-{n}", kind="order_confirmation", recipient=f"c{n}@example.com",
                       payload={"number": f"SF-{n:06d}", "token": f"t{n}", "name": "Bench", "language": "en"},
                       addresses={"telegram": str(100000 + n)})


def throughput(fake, workers):
    prefix = f"tp{workers}-{time.time_ns()}"
    before = len(fake.messages)
    write(MESSAGES, prefix)

    def worker():
        try:
            while outbox_sweep(limit=50):
                pass
        finally:
            connections.close_all()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    delivered = len(fake.messages) - before
    return delivered, seconds


def wait_before_first_attempt(count=30):
    """A real Huey consumer (2 worker threads) in this process; each message is written in its own transaction."""
    from huey.contrib.djhuey import HUEY

    HUEY.flush()
    consumer = HUEY.create_consumer(workers=2, worker_type="thread", periodic=False, check_worker_health=False)
    consumer.start()  # starts the worker threads and returns
    prefix = f"wait-{time.time_ns()}"
    try:
        for n in range(count):
            write(1, f"{prefix}-{n}")
            time.sleep(0.05)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if DeliveryAttempt.objects.filter(message__key__startswith=prefix, outcome="sent").count() >= count:
                break
            time.sleep(0.1)
    finally:
        consumer.stop(graceful=True)
    waits = []
    for message in OutboxMessage.objects.filter(key__startswith=prefix):
        first = message.deliveries.order_by("created_at").first()
        if first is not None:
            waits.append((first.created_at - message.created_at).total_seconds() * 1000)
    return waits


def order_cost():
    from steadfast.catalog.models import Category, Product, Variant
    from steadfast.checkout import services
    from steadfast.checkout.services import CheckoutDetails, order_place

    category, _ = Category.objects.get_or_create(slug="bench-outbox", defaults={"name": "Bench"})
    product, _ = Product.objects.get_or_create(slug="bench-outbox", defaults={"category": category, "name": "Bench"})
    variant, _ = Variant.objects.get_or_create(sku="BENCH-OUTBOX", defaults={
        "product": product, "price": "10.00", "stock": 10**6, "options": {"size": "M"}})
    details = CheckoutDetails(email="ann@example.com", phone="+48 600 100 200", full_name="Ann Nowak",
                              delivery_method="courier", payment_method="cash_on_delivery",
                              address_line1="ul. Długa 5", postcode="00-950", city="Warszawa", country="PL")
    real_add = services.outbox_add

    def run(label):
        times = []
        for n in range(ORDERS):
            started = time.perf_counter()
            order_place(lines=[(variant.pk, 1)], details=details, idempotency_key=f"{label}-{time.time_ns()}-{n}")
            times.append((time.perf_counter() - started) * 1000)
        return statistics.median(times)

    from steadfast.notify import outbox

    real_enqueue = outbox._enqueue
    variants = {
        "with": (real_add, real_enqueue),  # the row and the fast-path enqueue on commit
        "row only": (real_add, lambda message_id: None),  # the row; the sweep would deliver it
        "without": (lambda **kwargs: None, real_enqueue),
    }
    run("warm")
    results = {label: [] for label in variants}
    for _round in range(2):  # interleaved, so drift hits every variant
        for label, (add, enqueue) in variants.items():
            services.outbox_add, outbox._enqueue = add, enqueue
            results[label].append(run(label.replace(" ", "-")))
    services.outbox_add, outbox._enqueue = real_add, real_enqueue
    return {label: statistics.mean(values) for label, values in results.items()}


def main():
    fake = FakeTelegram(token="123456:fake-token").start()
    try:
        setup(fake)
        db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        print(f"database: {db}; {MESSAGES} messages per run to a Telegram fake on 127.0.0.1")
        for workers in (1, 2):
            delivered, seconds = throughput(fake, workers)
            print(f"  {workers} worker(s): {delivered} delivered in {seconds:.2f} s = {delivered / seconds:.0f} msg/s")
        waits = wait_before_first_attempt()
        if waits:
            waits.sort()
            print(f"  wait from commit to first attempt (Huey fast path, {len(waits)} messages): "
                  f"median {statistics.median(waits):.0f} ms, max {waits[-1]:.0f} ms")
        cost = order_cost()
        print(f"  order_place median ({ORDERS} orders x 2 per variant): {cost['with']:.1f} ms with the outbox row and "
              f"its enqueue, {cost['row only']:.1f} ms with the row only, {cost['without']:.1f} ms without; "
              f"ratio {cost['with'] / cost['without']:.2f} (row only {cost['row only'] / cost['without']:.2f})")
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
