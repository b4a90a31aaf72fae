"""Several nodes (issue 16): printed for people, never asserted. PostgreSQL + Redis only (the production topology).

    source .pgenv && .venv/bin/python bench/nodes_bench.py      # DATABASE_URL, REDIS_URL required
    BENCH_PARTS=waitroom … (orders, kill, waitroom), BENCH_CLIENTS, BENCH_SECONDS, BENCH_ROUNDS

Runs on its own database (steadfast_nodes_bench, dropped and migrated again each run) with real gunicorn nodes
(1 worker x 4 threads each) and Huey workers behind nginx with the config of `status nginx-config`:

1. order placements per second through nginx (API, guest, cash on delivery, `BENCH_CLIENTS` client threads for
   `BENCH_SECONDS` s) with 1 node and with 2 nodes, interleaved rounds, medians and the ratio;
2. a node killed with kill -9 under GET load: errors seen by clients, the slowest GET around the kill, seconds from
   the kill until every GET is fast again; then seconds from restarting it to it serving through the proxy again;
3. the waiting room's cost per request: a cached page for a first-time visitor with the room counting load
   (WAITROOM_MAX_INFLIGHT high, nobody queued) versus off, medians and the ratio.

The load generator shares the 2 cores with the nodes, so "2 nodes vs 1" measures what one machine gains (little,
when the CPU is the limit); on two machines the same config spreads the work.
"""

import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
if not (os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get("REDIS_URL")):
    sys.exit("nodes_bench needs PostgreSQL and Redis: set DATABASE_URL and REDIS_URL (e.g. `source .pgenv`).")
BENCH_DB = "steadfast_nodes_bench"
os.environ["DATABASE_URL"] = urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{BENCH_DB}"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "steadfast.settings")
os.environ.setdefault("LOG_LEVEL", "ERROR")
os.environ["CACHE_KEY_PREFIX"] = "nodes-bench"
os.environ["ORDER_MAX_OPEN_UNPAID"] = "1000000"  # one phone and address for every bench order, all unpaid

import httpx  # noqa: E402
import psycopg  # noqa: E402

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "12"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "6"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
PARTS = set(os.environ.get("BENCH_PARTS", "orders,kill,waitroom").split(","))  # a subset: BENCH_PARTS=waitroom


def recreate_database():
    admin = urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")


recreate_database()
import django  # noqa: E402

django.setup()
from django.core.management import call_command  # noqa: E402

from steadfast.catalog.models import Category, Product, Variant  # noqa: E402
from steadfast.status.tests.cluster import Cluster  # noqa: E402

call_command("migrate", verbosity=0)
category = Category.objects.create(slug="bench", name="Bench")
product = Product.objects.create(category=category, name="Bench boots", slug="bench-boots")
variant = Variant.objects.create(product=product, sku="BENCH-1", price="49.00", stock=10**7, options={"size": "M"})
product.refresh_summary()


def order_body():
    n = uuid.uuid4().int % 10**9
    return {"contact": {"email": f"b{n}@example.com", "phone": "+48 600 100 200", "full_name": "Bench Shopper"},
            "address": {"line1": "ul. Długa 5", "postcode": "00-950", "city": "Warszawa", "country": "PL"},
            "delivery_method": "courier", "payment_method": "cash_on_delivery",
            "lines": [{"variant_id": variant.pk, "quantity": 1}]}


def hammer(base, request, seconds, clients):
    """Each client thread repeats request(client, base) for `seconds`; returns (latencies, errors)."""
    stop = time.monotonic() + seconds
    latencies, errors, lock = [], [], threading.Lock()

    def run():
        with httpx.Client(trust_env=False, timeout=30) as client:
            while time.monotonic() < stop:
                started = time.perf_counter()
                try:
                    ok = request(client, base)
                except httpx.HTTPError as error:
                    ok = type(error).__name__
                with lock:
                    latencies.append((time.monotonic(), time.perf_counter() - started))
                    if ok is not True:
                        errors.append(ok)

    with ThreadPoolExecutor(clients) as pool:
        for future in [pool.submit(run) for _ in range(clients)]:
            future.result()
    return latencies, errors


def place(client, base):
    answer = client.post(f"{base}/api/v1/checkout/orders", json=order_body(),
                         headers={"Idempotency-Key": str(uuid.uuid4())})
    return True if answer.status_code == 201 else answer.status_code


def page(client, base):
    answer = client.get(f"{base}/p/bench-boots/")
    return True if answer.status_code == 200 else answer.status_code


def median(values):
    return statistics.median(values) if values else float("nan")


def orders_per_second(shop, one, two):
    rates, failed = {"1 node": [], "2 nodes": []}, []
    for _ in range(ROUNDS):
        for label, base in (("1 node", one), ("2 nodes", two)):
            latencies, errors = hammer(base, place, SECONDS, CLIENTS)
            rates[label].append((len(latencies) - len(errors)) / SECONDS)
            failed += errors
    if failed:
        print(f"  (not placed: {len(failed)}, e.g. {failed[:5]})")
    one_rate, two_rate = median(rates["1 node"]), median(rates["2 nodes"])
    print(f"order placements/s through nginx ({CLIENTS} clients, {SECONDS:.0f} s x {ROUNDS} rounds, medians): "
          f"1 node {one_rate:.1f}, 2 nodes {two_rate:.1f}, ratio 2/1 = {two_rate / one_rate:.2f}")


def node_kill(shop, base):
    killed_at = {}

    def kill_soon():
        time.sleep(SECONDS / 3)  # bench pacing, not a test wait: the kill lands mid-load
        killed_at["t"] = time.monotonic()
        Cluster.kill(shop.nodes["web-b"][0])

    killer = threading.Thread(target=kill_soon)
    killer.start()
    latencies, errors = hammer(base, page, SECONDS, CLIENTS)
    killer.join()
    before = [lat for at, lat in latencies if at < killed_at["t"]]
    after = [(at, lat) for at, lat in latencies if at >= killed_at["t"]]
    normal = max(sorted(before)[int(len(before) * 0.99)] if before else 0.0, 0.05)
    slow = [at for at, lat in after if lat > 2 * normal]
    settled = (max(slow) - killed_at["t"]) if slow else 0.0
    print(f"kill -9 of 1 of 2 nodes under GET load: {len(errors)} errors of {len(latencies)} GETs; slowest GET after "
          f"the kill {max((lat for _, lat in after), default=0) * 1000:.0f} ms (p99 before {normal * 1000:.0f} ms); "
          f"every GET back under 2x that p99 {settled:.2f} s after the kill")
    started = time.monotonic()
    port = shop.nodes["web-b"][1]
    shop.web("web-b-again", port=port)
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5, trust_env=False).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    print(f"restarted node serving (readyz 200) {time.monotonic() - started:.1f} s after its restart "
          f"(gunicorn + Django start on a busy 2-core machine)")


def waitroom_overhead(shop):
    on = shop.web("room-on", WAITROOM_MAX_INFLIGHT="100000")
    off = shop.web("room-off", WAITROOM_MAX_INFLIGHT="0")
    for name in ("room-on", "room-off"):
        shop.wait_ready(name)
    results = {"on": [], "off": []}
    for _ in range(ROUNDS):
        for label, base in (("off", off), ("on", on)):
            latencies, _errors = hammer(base, lambda client, b: client.get(f"{b}/p/bench-boots/").status_code == 200,
                                        SECONDS / 2, 4)
            results[label].append(median([lat for _, lat in latencies]))
    off_ms, on_ms = median(results["off"]) * 1000, median(results["on"]) * 1000
    print(f"waiting room counting load (nobody queued) vs off, cached product page, 4 clients, medians: "
          f"off {off_ms:.2f} ms, on {on_ms:.2f} ms, ratio {on_ms / off_ms:.2f} (+{on_ms - off_ms:.2f} ms per request)")


def main():
    shop = Cluster(Path(tempfile.mkdtemp(prefix="steadfast-nodes-bench-")))
    try:
        a, b = shop.web("web-a"), shop.web("web-b")
        shop.worker("worker-a")
        shop.worker("worker-b")
        shop.wait_ready("web-a")
        shop.wait_ready("web-b")
        two = shop.proxy(a, b)
        one_nginx = shop.nginx
        shop.tmp = shop.tmp / "single"
        shop.tmp.mkdir()
        one = shop.proxy(a)
        if "orders" in PARTS:
            orders_per_second(shop, one, two)
        shop.nginx.stop()
        shop.nginx = one_nginx
        if "kill" in PARTS:
            node_kill(shop, two)
        if "waitroom" in PARTS:
            waitroom_overhead(shop)
    finally:
        shop.stop_all(show_logs=False)


if __name__ == "__main__":
    main()
