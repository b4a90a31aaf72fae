"""Cost of the abuse-resistance checks (issue 10). Printed for people, never asserted.

    .venv/bin/python bench/abuse_bench.py                 # SQLite + database cache in a temporary directory
    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python bench/abuse_bench.py

In-process (Django's test client, no network), alternating blocks of requests with the checks on and off:

- placing an order through the API (POST /api/v1/checkout/orders, a guest, cash on delivery): "on" is the shop as
  shipped (null-byte guard, CSP and lockout middleware, shared validators, hoarding limits and the open-orders
  query, the reservation alert check, client address); "off" removes the three middlewares and makes the
  limits no-ops (the validators stay: they are part of the request schema);
- a cached page for a first-time visitor (product page, and a category page with ?sort=…&utm=…): "on" as shipped,
  "off" without the three middlewares. The page-cache key change is measured inside "on".

Prints medians per request and the ratio on/off.
"""

import os
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "steadfast.settings")
os.environ.setdefault("LOG_LEVEL", "ERROR")
if not os.environ.get("DATABASE_URL"):
    os.environ.setdefault("STEADFAST_DATA_DIR", tempfile.mkdtemp(prefix="steadfast-abuse-bench-"))
os.environ.setdefault("CACHE_KEY_PREFIX", "abuse-bench")
os.environ.setdefault("RATELIMIT_PLACE_ORDER", "1000000/m")
os.environ.setdefault("STATIC_MANIFEST", "0")  # no collectstatic needed for in-process page views

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

from steadfast.catalog.models import Category, Product, Variant  # noqa: E402
from steadfast.checkout import limits  # noqa: E402

BLOCK = int(os.environ.get("BENCH_BLOCK", "20"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "6"))
NEW_MIDDLEWARE = {"steadfast.security.nullbytes.NullByteMiddleware", "csp.middleware.CSPMiddleware",
                  "axes.middleware.AxesMiddleware"}


@contextmanager
def checks(on: bool):
    if on:
        yield
        return
    saved = {name: getattr(limits, name) for name in ("order_limits_check", "open_orders_check",
                                                       "reservation_alert", "offline_needs_confirmation")}
    limits.order_limits_check = limits.open_orders_check = limits.reservation_alert = lambda *a, **k: None
    limits.offline_needs_confirmation = lambda user: False
    try:
        with override_settings(MIDDLEWARE=[m for m in settings.MIDDLEWARE if m not in NEW_MIDDLEWARE]):
            yield
    finally:
        for name, value in saved.items():
            setattr(limits, name, value)


def order_body(variant):
    # A different shopper each time (e-mail, phone, street), so the open-unpaid-orders cap (default 3) never refuses.
    n = uuid.uuid4().int
    return {
        "contact": {"email": f"bench-{n % 10**12}@example.com", "phone": f"+48 600 {n % 10**6:06d}",
                    "full_name": "Bench Shopper"},
        "address": {"line1": f"ul. Długa {n % 10**6}", "postcode": "00-950", "city": "Warszawa", "country": "PL"},
        "delivery_method": "courier", "payment_method": "cash_on_delivery",
        "lines": [{"variant_id": variant.pk, "quantity": 1}],
    }


def place_order(variant):
    client = Client(HTTP_HOST="127.0.0.1")
    started = time.perf_counter()
    response = client.post("/api/v1/checkout/orders", order_body(variant), content_type="application/json",
                           headers={"Idempotency-Key": str(uuid.uuid4())})
    elapsed = time.perf_counter() - started
    assert response.status_code == 201, response.content[:300]
    return elapsed


def view_page(path):
    client = Client(HTTP_HOST="127.0.0.1")  # no cookies: a first-time visitor (page cache after the first)
    started = time.perf_counter()
    response = client.get(path)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    return elapsed


def measure(label, action):
    times = {True: [], False: []}
    action(True), action(False)  # warm-up: caches, middleware chains, query plans
    for _ in range(ROUNDS):
        for on in (False, True):
            with checks(on):
                times[on].extend(action(on) for _ in range(BLOCK))
    on_ms, off_ms = (statistics.median(times[flag]) * 1000 for flag in (True, False))
    print(f"{label:<38} with checks {on_ms:7.2f} ms   without {off_ms:7.2f} ms   ratio {on_ms / off_ms:5.2f}")


def main():
    if not os.environ.get("DATABASE_URL"):
        call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    category, _ = Category.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    product, _ = Product.objects.get_or_create(slug="bench-lamp", defaults={"name": "Bench lamp",
                                                                            "category": category})
    variant, _ = Variant.objects.get_or_create(sku="BENCH-1", defaults={"product": product, "price": "19.90",
                                                                        "stock": 10**6, "options": {"size": "M"}})
    Variant.objects.filter(pk=variant.pk).update(stock=10**6)
    product.refresh_summary()
    db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"abuse_bench: {db}, cache {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}, "
          f"{ROUNDS} rounds x {BLOCK} requests per mode, medians")
    measure("place order (API, guest, COD)", lambda on: place_order(variant))
    measure("cached product page (first visit)", lambda on: view_page(product.get_absolute_url()))
    measure("cached category page ?sort&utm", lambda on: view_page("/c/bench/?sort=price_asc&utm_source=x"))


if __name__ == "__main__":
    main()
