"""The "pages while orders flow" figure of bench/pages_bench.py: the category and product pages for a shopper with a
cart, measured with no orders and while a background thread places guest orders through the JSON API.

Why: every order moves stock. Before 2026-12-01 that retired the whole page cache (a new catalog version on every
order), so a shop that sold rendered its listings again and again; now a sale that changes no listing moves only
stock versions (catalog/cache.py). The orders buy a product that is neither the measured one nor in the measured
category, with a stock so large that a sale changes nothing a listing shows: what slows the measured pages down
beyond the orders' own CPU is the cache being retired. `BENCH_CODE=<older checkout>` shows the difference.
"""

import math
import os
import statistics
import subprocess
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext

import httpx

ORDERS_PER_SECOND = float(os.environ.get("BENCH_ORDERS_PER_SECOND", "5"))
PAGES = ("category", "product")

# Run with django.setup() in the bench's shop environment. The ordered product is as far from the measured ones as
# the demo catalog allows; its stock goes to 10^7 so neither "in stock" nor a low-stock hint can change.
ORDER_VARIANT_SCRIPT = """
import django; django.setup()
from steadfast.catalog.models import Product
from steadfast.synthetic.product import PRODUCT_SLUG
found = (Product.objects.filter(is_active=True, category__is_active=True).exclude(pk={product})
         .exclude(slug=PRODUCT_SLUG).order_by("-pk"))
product = (found.exclude(category_id={category}).exclude(category__parent_id={category})
           .first() or found.first())
variant = product.variants.filter(is_active=True).order_by("pk").first()
variant.stock = 10**7
variant.save(update_fields=["stock"])
product.refresh_summary()
print(variant.pk, variant.sku, product.category.name)
"""


def order_variant(python, code, env, category_pk, product_pk) -> tuple:
    script = ORDER_VARIANT_SCRIPT.format(category=category_pk, product=product_pk)
    out = subprocess.run([python, "-c", script], cwd=code, env=env, check=True, capture_output=True, text=True)
    variant, sku, category = out.stdout.strip().splitlines()[-1].split(maxsplit=2)
    return int(variant), sku, category


def order_body(variant_id) -> dict:
    # A new e-mail, phone and street per order: the shop refuses a 4th unpaid order of the same person
    # (ORDER_MAX_OPEN_UNPAID), and every one of these stays unpaid (cash on delivery).
    n = uuid.uuid4().int % 10**6
    return {"contact": {"email": f"pages-bench-{n}@example.com", "phone": f"+48 600 {n // 1000:03d} {n % 1000:03d}",
                        "full_name": "Bench Shopper"},
            "address": {"line1": f"ul. Długa {n}", "postcode": "00-950", "city": "Warszawa", "country": "PL"},
            "delivery_method": "courier", "payment_method": "cash_on_delivery",
            "lines": [{"variant_id": variant_id, "quantity": 1}]}


class OrderFlow:
    """Places orders at `rate` per second until the `with` block ends; counts those placed and the failures.

    A ticker submits each order on schedule to a few sender threads, so one order stuck behind wrk's connections
    (2 sync workers, 32 connections) does not hold the next ones back; what got through is reported, not assumed.
    """

    def __init__(self, base, variant_id, rate):
        self.base, self.variant_id, self.rate = base, variant_id, rate
        self.placed, self.errors, self.seconds = 0, Counter(), 0.0
        self._stop, self._lock = threading.Event(), threading.Lock()
        self._client = httpx.Client(trust_env=False, timeout=30)  # 127.0.0.1 only: no proxy from the environment
        self._senders = ThreadPoolExecutor(max(4, math.ceil(rate * 2)))

    def __enter__(self):
        self._started = time.monotonic()
        self._ticker = threading.Thread(target=self._tick, daemon=True)
        self._ticker.start()
        return self

    def __exit__(self, *_exc):
        self._stop.set()
        self._ticker.join()
        self._senders.shutdown(wait=True, cancel_futures=True)  # orders still queued were never sent: not counted
        self.seconds = time.monotonic() - self._started
        self._client.close()

    def _tick(self):
        sent = 0
        while not self._stop.wait(max(0.0, self._started + sent / self.rate - time.monotonic())):
            self._senders.submit(self._place)
            sent += 1

    def _place(self):
        try:
            answer = self._client.post(f"{self.base}/api/v1/checkout/orders", json=order_body(self.variant_id),
                                       headers={"Idempotency-Key": str(uuid.uuid4())})
            failure = None if answer.status_code == 201 else f"HTTP {answer.status_code} {answer.text[:120]}"
        except httpx.HTTPError as error:
            failure = type(error).__name__
        with self._lock:
            if failure is None:
                self.placed += 1
            else:
                self.errors[failure] += 1


def orders_figure(measure, pages, cookie, bare, *, base, python, code, env, ids, rounds):
    """measure(path, cookie) -> wrk figures; `bare` is the bare view's median req/s from the main table."""
    if ORDERS_PER_SECOND <= 0:
        return
    variant, sku, category = order_variant(python, code, env, *ids)
    results, flows = {}, []
    for round_number in range(rounds):
        # Alternate which condition goes first, so a machine getting busier or quieter during the run does not
        # always land on the same side.
        for flowing in (False, True) if round_number % 2 == 0 else (True, False):
            flow = OrderFlow(base, variant, ORDERS_PER_SECOND) if flowing else None
            with flow or nullcontext():
                for name in PAGES:
                    results.setdefault((name, flowing), []).append(measure(pages[name], cookie))
            flows += [flow] if flow else []
    print(f"\npages while orders flow: {ORDERS_PER_SECOND:g} orders/s asked (API, guest, cash on delivery, courier, "
          f"1 unit of {sku} in {category}), session+cart, median of {rounds} interleaved rounds")
    _print(results, bare)
    _print_orders(flows)


def _print(results, bare):
    print(f"{'page':<10} {'no orders ÷ bare':>17} {'p99 ms':>7} {'orders ÷ bare':>14} {'p99 ms':>7} "
          f"{'orders ÷ no orders':>19} errors")
    for name in PAGES:
        quiet, busy = results[(name, False)], results[(name, True)]
        quiet_rps, busy_rps = (statistics.median(r["rps"] for r in runs) for runs in (quiet, busy))
        quiet_p99, busy_p99 = (statistics.median(r["p99"] for r in runs) for runs in (quiet, busy))
        errors = sum(r["errors"] for r in quiet + busy)
        print(f"{name:<10} {quiet_rps / bare:>17.2f} {quiet_p99:>7.0f} {busy_rps / bare:>14.2f} {busy_p99:>7.0f} "
              f"{busy_rps / quiet_rps:>19.2f} {errors}")


def _print_orders(flows):
    placed, seconds = sum(f.placed for f in flows), sum(f.seconds for f in flows)
    errors = sum((f.errors for f in flows), Counter())
    print(f"orders placed: {placed / seconds:.1f}/s ({placed} in {seconds:.0f} s), order errors: {sum(errors.values())}"
          + "".join(f"\n  {count} x {failure}" for failure, count in errors.most_common(5)))
