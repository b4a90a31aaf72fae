"""Payment fault drill (issue 8): customers pay through real HTTP faults between the shop and the gateway fakes,
then the fakes' own ledgers are compared with the orders. Prints figures; asserts nothing. A few minutes at most.

    .venv/bin/python -m bench.fault_drill          # SQLite in a temporary directory (or DATABASE_URL/REDIS_URL)
    DRILL_WEB=2x1 .venv/bin/python -m bench.fault_drill   # gunicorn workers x threads (default 2x4, gthread)
    DRILL_PAGES_ONLY=1 .venv/bin/python -m bench.fault_drill   # only the interleaved page-latency figure (~1 min)

The shop runs as it does in production: gunicorn (DRILL_WEB workers x threads) and the Huey worker (reconciliation,
probes) as subprocesses; the Stripe (card) and PayPal fakes run in this process, sending webhooks to the shop.
Each customer is an HTTP client: opens the order page, presses Pay with a method the page offers, pays on the
hosted page, comes back; if the page offers a way to pay after that, the customer takes it (as real customers do).
Phases: healthy, then on the card gateway 503, connection refused, hang, garbage, answer lost after the gateway
acted (create and status), 503 on the status query after the customer paid; on PayPal a capture whose answer is
lost; at the end every webhook is delivered twice more. The breaker is reset between phases so each fault is met.
"""

import os
import re
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = Path(tempfile.mkdtemp(prefix="steadfast-fault-drill-"))
os.environ.update(DJANGO_SETTINGS_MODULE="steadfast.settings", LOG_LEVEL="ERROR", PAYMENT_RECOVERY_EMAILS="0",
                  RATELIMIT_ENABLE="0", STATIC_MANIFEST="0", CACHE_KEY_PREFIX=f"drill-{uuid.uuid4().hex[:6]}",
                  HUEY_NAME="fault-drill", EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend")
# Every drill customer is one shopper (drill@example.com) leaving card orders unpaid on purpose: the hoarding limit
# (issue 10) refused the fourth and stopped the drill.
os.environ["ORDER_MAX_OPEN_UNPAID"] = "1000000"
if not os.environ.get("DATABASE_URL"):
    os.environ["STEADFAST_DATA_DIR"] = str(WORK)
PORT = int(os.environ.get("DRILL_PORT", "8120"))
SHOP = f"http://127.0.0.1:{PORT}"
os.environ.update(SITE_URL=SHOP, ALLOWED_HOSTS="127.0.0.1,localhost")
WORKERS, THREADS = (int(n) for n in os.environ.get("DRILL_WEB", "2x4").split("x"))
PER_PHASE = int(os.environ.get("DRILL_ORDERS", "4"))
SETTLE = 150  # seconds after the faults clear: "nothing stuck after 2 min" is read at 120 s

import django  # noqa: E402
import httpx  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from bench.fault_drill_ledger import stuck  # noqa: E402
from bench.fault_drill_pages import interleaved  # noqa: E402
from bench.fault_drill_pages import report as pages_report  # noqa: E402
from bench.fault_drill_phases import (  # noqa: E402
    card_back_after_recovery,
    free_port,
    hang_phase,
    phases,
    redeliver_webhooks,
    reset,
)
from bench.fault_drill_report import report  # noqa: E402
from steadfast.catalog.models import Category, Product, Variant  # noqa: E402
from steadfast.checkout.services import CheckoutDetails, order_place  # noqa: E402
from steadfast.fakes.management.commands.fakes import DEMO_SECRETS, FAKES  # noqa: E402
from steadfast.payments.tests.matrix import CapturingPayPal  # noqa: E402
from steadfast.providers.models import Provider  # noqa: E402
from steadfast.providers.secrets import provider_secret_env  # noqa: E402

for _code, _names in DEMO_SECRETS.items():  # the shop, its worker and the fakes agree on the demo secrets
    for _name, _value in _names.items():
        os.environ.setdefault(provider_secret_env(_code, _name), _value)

METHOD = re.compile(r'name="method" value="([^"]+)"( disabled)?')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PREFERENCE = ["stripe", "paypal", "bank_transfer"]


class Drill:
    def __init__(self, variant, stripe, paypal):
        self.variant, self.stripe, self.paypal = variant, stripe, paypal
        self.orders, self.step_seconds, self.invited = [], {}, 0

    def order(self):
        details = CheckoutDetails(email="drill@example.com", phone="+48 600 100 200", full_name="Drill Shopper",
                                  delivery_method="courier", payment_method="stripe", address_line1="ul. Długa 5",
                                  postcode="00-950", city="Warszawa", country="PL")
        order = order_place(lines=[(self.variant.pk, 1)], details=details, idempotency_key=uuid.uuid4().hex)[0]
        self.orders.append(order.pk)
        return order

    def customer(self, phase, between=None, prefer=PREFERENCE, arm=None):
        """One customer: pay with the best method offered; `arm()` runs before each Pay, `between(order)` after
        paying on the hosted page, before the customer's return."""
        order = self.order()
        with httpx.Client(base_url=SHOP, trust_env=False, timeout=60) as browser:
            paid_once = False
            for _try in range(3):
                page = browser.get(order.get_absolute_url()).text
                offered = [code for code, disabled in METHOD.findall(page) if not disabled]
                method = next((code for code in prefer if code in offered), None)
                if method is None or not CSRF.search(page):
                    return  # paid, confirming, or nothing offered: the customer waits
                if paid_once:
                    self.invited += 1  # paid already, and the page offers another payment
                if arm:
                    arm()
                started = time.perf_counter()
                answer = browser.post(f"/payments/order/{order.token}/pay/",
                                      data={"method": method, "csrfmiddlewaretoken": CSRF.search(page).group(1)})
                self.step_seconds.setdefault(phase, []).append(time.perf_counter() - started)
                target = answer.headers.get("Location", "")
                if not target.startswith(("http://127.0.0.1:", "https://")) or target.startswith(SHOP):
                    if method == "bank_transfer":
                        return
                    continue  # back on the order page: try what it offers now
                hosted = httpx.Client(trust_env=False, timeout=30)
                hosted.get(target)
                back = hosted.post(target, data={"action": "pay"}).headers.get("Location", "")
                paid_once = True
                if between:
                    between(order)
                if back.startswith(SHOP):
                    browser.get(back[len(SHOP):])  # the customer's return


def page_latencies(seconds, stop=None):
    """An unrelated page (the product list API) fetched back to back by 2 clients; latencies in seconds."""
    samples, until = [], time.monotonic() + seconds

    def loop():
        with httpx.Client(base_url=SHOP, trust_env=False, timeout=60) as client:
            while time.monotonic() < until and not (stop and stop.is_set()):
                started = time.perf_counter()
                client.get("/api/v1/products")
                samples.append(time.perf_counter() - started)

    threads = [threading.Thread(target=loop) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return samples


def start_shop():
    env = dict(os.environ)
    web = subprocess_run(["-m", "gunicorn", "steadfast.wsgi:application", "--bind", f"127.0.0.1:{PORT}",
                          "--workers", str(WORKERS), "--threads", str(THREADS), "--timeout", "60",
                          "--log-level", "warning", "--no-control-socket"], env, "web")
    worker = subprocess_run(["manage.py", "run_huey"], env, "worker")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{SHOP}/healthz", timeout=2, trust_env=False).status_code == 200:
                return [web, worker]
        except httpx.HTTPError:
            time.sleep(0.3)
    raise SystemExit("the shop did not start within 60 s")


def subprocess_run(args, env, name):
    import subprocess

    log = open(WORK / f"{name}.log", "wb")
    return subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def setup():
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    category = Category.objects.get_or_create(slug="drill", defaults={"name": "Drill"})[0]
    product = Product.objects.create(category=category, name="Drill item", slug=f"drill-{uuid.uuid4().hex[:8]}")
    variant = Variant.objects.create(product=product, sku=f"D-{uuid.uuid4().hex[:8]}", price="20.00", stock=10**6,
                                     options={})
    product.refresh_summary()
    stripe = FAKES["stripe"][1](free_port(), SHOP).start()
    paypal = CapturingPayPal(port=free_port(), webhook_url=f"{SHOP}/payments/webhooks/paypal/",
                             client_id=DEMO_SECRETS["paypal"]["CLIENT_ID"],
                             client_secret=DEMO_SECRETS["paypal"]["CLIENT_SECRET"],
                             webhook_id=DEMO_SECRETS["paypal"]["WEBHOOK_ID"]).start()
    for code, fake, priority in (("stripe", stripe, 10), ("paypal", paypal, 20)):
        Provider.objects.update_or_create(code=code, defaults={
            **FAKES[code][2], "priority": priority, "enabled": True, "config": {"api_base": fake.url}})
    return Drill(variant, stripe, paypal)


def main():
    drill = setup()
    processes = start_shop()
    try:
        print(f"payment fault drill: {connection.vendor} database, gunicorn {WORKERS} workers x {THREADS} threads, "
              f"{PER_PHASE} customers per phase, PAYMENT_STEP_BUDGET {os.environ.get('PAYMENT_STEP_BUDGET', 8)} s")
        page_latencies(3)  # warm-up: each worker's first requests are not what is measured
        if os.environ.get("DRILL_PAGES_ONLY") == "1":  # only the interleaved page figure (bench/fault_drill_pages)
            pages_report(interleaved(drill, processes, page_latencies, reset, SHOP, METHOD, CSRF))
            return
        for name, options in phases(drill):
            for _ in range(PER_PHASE):
                drill.customer(name, **options)
            reset(drill)
            print(f"  phase done: {name}", flush=True)
        # Side by side: the same page idle just before and just after the hang, against the page during it.
        idle = page_latencies(8)
        hanging = hang_phase(drill, page_latencies)
        idle += page_latencies(8)
        windows = interleaved(drill, processes, page_latencies, reset, SHOP, METHOD, CSRF)
        back = card_back_after_recovery(drill, SHOP, METHOD)
        reset(drill)
        cleared = time.monotonic()
        delivered, refused = redeliver_webhooks(drill, SHOP)
        settled_after, at_two_minutes = None, None
        while time.monotonic() - cleared < SETTLE:
            left = stuck(drill)
            if settled_after is None and left == 0:
                settled_after = time.monotonic() - cleared
            if at_two_minutes is None and time.monotonic() - cleared >= 120:
                at_two_minutes = left
            if settled_after is not None and time.monotonic() - cleared >= 5:
                break
            time.sleep(5)
        report(drill, idle, hanging, back, delivered, refused, settled_after, at_two_minutes, SETTLE)
        pages_report(windows)
    finally:
        for process in processes:
            process.terminate()
            process.wait(20)
        drill.stripe.stop()
        drill.paypal.stop()


if __name__ == "__main__":
    main()
