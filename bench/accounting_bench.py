"""Accounting figures (issue 14). Printed for people, never asserted.

    .venv/bin/python bench/accounting_bench.py                 # SQLite in a temporary directory
    source .pgenv && .venv/bin/python bench/accounting_bench.py   # PostgreSQL + Redis (DATABASE_URL, REDIS_URL)

On PostgreSQL it runs on its own database (steadfast_accounting_bench, dropped and created again each run).
Prints: replay rate (orders/s, and sync rows/s) of a backlog to the MoySklad fake and to the signed-webhook
receiver fake on 127.0.0.1, with the rate limit lifted (what the worker can do; production paces it at
ACCOUNTING_REPLAY_RATE); the same backlog taken by 1C over HTTP (checkauth, then query and success until a query
brings nothing, against the shop served in this process by Django's threaded WSGI server); and the cost sync rows
add to placing an order: order_place median with one and with two push targets versus none, side by side in one
run, interleaved order by order so drift hits every variant alike.
"""

import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "steadfast.settings")
os.environ.setdefault("LOG_LEVEL", "ERROR")
BENCH_DB = "steadfast_accounting_bench"
if os.environ.get("DATABASE_URL", "").startswith("postgres"):
    import psycopg

    _admin = urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path="/postgres"))
    with psycopg.connect(_admin, autocommit=True) as _conn:
        _conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        _conn.execute(f"CREATE DATABASE {BENCH_DB}")
    os.environ["DATABASE_URL"] = urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{BENCH_DB}"))
elif not os.environ.get("DATABASE_URL"):
    os.environ.setdefault("STEADFAST_DATA_DIR", tempfile.mkdtemp(prefix="steadfast-accounting-bench-"))
os.environ.setdefault("CACHE_KEY_PREFIX", "accounting-bench")
os.environ.setdefault("HUEY_NAME", "accounting-bench")
os.environ["STEADFAST_BENCH_MS_TOKEN"] = "bench-ms-token"
os.environ["STEADFAST_BENCH_HOOK_SECRET"] = "bench-hook-secret"
os.environ["ACCOUNTING_REPLAY_RATE"] = "1000000"
os.environ["ORDER_MAX_OPEN_UNPAID"] = "1000000"  # every bench order is an unpaid bank transfer from few e-mails
os.environ["OFFLINE_CONFIRM_MINUTES"] = "0"
os.environ["ACCOUNTING_1C_LOGIN"], os.environ["ACCOUNTING_1C_PASSWORD"] = "bench-1c", "bench-1c-password"

import warnings  # noqa: E402

import django  # noqa: E402

warnings.filterwarnings("ignore", message="No directory at")  # the served shop has no collected static files

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from steadfast.accounting.models import SyncRow, SyncTarget  # noqa: E402
from steadfast.accounting.replay import target_replay  # noqa: E402
from steadfast.fakes.moysklad import FakeMoySklad  # noqa: E402
from steadfast.fakes.webhook_receiver import FakeWebhookReceiver  # noqa: E402
from steadfast.providers.models import Provider  # noqa: E402

ORDERS = int(os.environ.get("BENCH_ORDERS", "200"))
COST_ORDERS = int(os.environ.get("BENCH_COST_ORDERS", "40"))


def setup(moysklad, receiver):
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    Provider.objects.filter(kind="accounting").delete()
    ms = Provider.objects.create(kind="accounting", code="bench-ms", adapter="moysklad", name="Bench MoySklad",
                                 config={"api_base": moysklad.api_base, "organization_id": "org",
                                         "states": {"awaiting_offline_payment": "awaiting"}, "read_timeout": 5})
    hook = Provider.objects.create(kind="accounting", code="bench-hook", adapter="signed_webhook", name="Bench hook",
                                   config={"api_base": receiver.url, "read_timeout": 5})
    Provider.objects.create(kind="accounting", code="bench-1c", adapter="onec", name="Bench 1C")
    return ms, hook


def variant():
    from steadfast.catalog.models import Category, Product, Variant

    category, _ = Category.objects.get_or_create(slug="bench-acc", defaults={"name": "Bench"})
    product, _ = Product.objects.get_or_create(slug="bench-acc", defaults={"category": category, "name": "Bench"})
    return Variant.objects.get_or_create(sku="BENCH-ACC", defaults={
        "product": product, "price": "10.00", "stock": 10**7, "options": {"size": "M"}})[0]


def place_many(count, label):
    from steadfast.checkout.services import CheckoutDetails, order_place

    item = variant()
    times = []
    for n in range(count):
        details = CheckoutDetails(email=f"c{n % 50}@example.com", phone="+48 600 100 200", full_name="Ann Nowak",
                                  delivery_method="courier", payment_method="bank_transfer",
                                  address_line1="ul. Długa 5", postcode="00-950", city="Warszawa", country="PL")
        started = time.perf_counter()
        order_place(lines=[(item.pk, 1)], details=details, idempotency_key=f"{label}-{time.time_ns()}-{n}")
        times.append((time.perf_counter() - started) * 1000)
    return times


def replay_rate(provider):
    target = SyncTarget.objects.get(provider=provider)
    rows = SyncRow.objects.filter(target=target, state="pending")
    count, orders = rows.count(), rows.values("order_number").distinct().count()
    started = time.perf_counter()
    while SyncRow.objects.filter(target=target, state="pending").exists():
        result = target_replay(target.pk, limit=10_000)
        if result.stopped:
            print(f"    stopped: {result.stopped}")
            break
    seconds = time.perf_counter() - started
    return orders / seconds, count / seconds, count


def serve():
    """The shop on 127.0.0.1 in this process (threads), for 1C's exchange over HTTP."""
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadedWSGIServer(("127.0.0.1", 0), Quiet)
    server.set_app(get_wsgi_application())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def onec_rate(base):
    """1C takes the backlog: checkauth, then query + success until a query brings no Документ."""
    import httpx

    target = SyncTarget.objects.get(provider__adapter="onec")
    rows = SyncRow.objects.filter(target=target, state="pending")
    count, orders = rows.count(), rows.values("order_number").distinct().count()
    url, exchanges = "/accounting/1c/exchange", 0
    started = time.perf_counter()
    with httpx.Client(base_url=base, timeout=120, trust_env=False) as client:
        auth = (settings.ACCOUNTING_1C_LOGIN, settings.ACCOUNTING_1C_PASSWORD)
        _, cookie, value = client.get(url, params={"type": "sale", "mode": "checkauth"}, auth=auth).text.split("\n")
        client.cookies.set(cookie, value)
        while "<Документ>".encode() in client.get(url, params={"type": "sale", "mode": "query"}).content:
            if client.get(url, params={"type": "sale", "mode": "success"}).text != "success":
                sys.exit("1C's success was refused")
            exchanges += 1
    seconds = time.perf_counter() - started
    left = rows.count()
    return orders / seconds, count / seconds, count, exchanges, left


def order_cost(ms, hook):
    variants = {"none": [], "one target": [ms], "two targets": [ms, hook]}

    def switch(enabled):
        Provider.objects.filter(kind="accounting").update(enabled=False)
        Provider.objects.filter(pk__in=[p.pk for p in enabled]).update(enabled=True)

    switch([])
    place_many(5, "warm")
    results = {label: [] for label in variants}
    # Order by order in turn: every order placed makes the next one's checks read a little more, so blocks of one
    # variant after another would charge that growth to whichever came last.
    for _n in range(2 * COST_ORDERS):
        for label, enabled in variants.items():
            switch(enabled)
            results[label] += place_many(1, label.replace(" ", "-"))
    Provider.objects.filter(kind="accounting").exclude(adapter="onec").update(enabled=True)
    return {label: statistics.median(values) for label, values in results.items()}


def main():
    moysklad, receiver = FakeMoySklad(token="bench-ms-token").start(), FakeWebhookReceiver(secret="bench-hook-secret")
    receiver.start()
    try:
        ms, hook = setup(moysklad, receiver)
        db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        print(f"database: {db}; backlog of {ORDERS} bank-transfer orders (placed + awaiting payment = 2 rows each)")
        place_many(ORDERS, "backlog")
        for provider in (ms, hook):
            per_order, per_row, rows = replay_rate(provider)
            print(f"  replay to {provider.name}: {rows} rows, {per_order:.1f} orders/s ({per_row:.1f} rows/s)")
        server = serve()
        try:
            per_order, per_row, rows, exchanges, left = onec_rate(f"http://127.0.0.1:{server.server_port}")
        finally:
            server.shutdown()
        print(f"  1C over HTTP: {rows} rows in {exchanges} query/success exchanges, {per_order:.1f} orders/s "
              f"({per_row:.1f} rows/s){f'; {left} rows left!' if left else ''}")
        Provider.objects.filter(adapter="onec").update(enabled=False)  # the cost compares the push targets
        cost = order_cost(ms, hook)
        print(f"  order_place median ({COST_ORDERS} x 2 per variant): {cost['none']:.1f} ms without accounting, "
              f"{cost['one target']:.1f} ms with one target, {cost['two targets']:.1f} ms with two; "
              f"ratio {cost['one target'] / cost['none']:.2f} / {cost['two targets'] / cost['none']:.2f}")
    finally:
        moysklad.stop()
        receiver.stop()


if __name__ == "__main__":
    main()
