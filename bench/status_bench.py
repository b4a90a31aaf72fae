"""Status page benchmark (issue 5): PostgreSQL + Redis, 2 gunicorn workers, bounded locust load on 127.0.0.1.

Prints req/s and p99 for /status/ and /status/api/v2/summary.json, then the time from a payment gateway going
out (its breaker opened through providers.breaker, the way failing calls open it) to /status/ showing it, and to
the default policy's incident appearing there. Nothing is asserted: the figures are for people.
Run with `.venv/bin/python -m bench.status_bench`.
"""

import os
import re
import subprocess
import time
import urllib.request

from bench import run

run.DB_NAME = "steadfast_status_bench"  # its own database: `make bench` may run at the same time
run.PORT = int(os.environ.get("BENCH_STATUS_PORT", "8110"))
run.ENV.update(
    DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{run.DB_NAME}",
    REDIS_URL=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/4"),
    CACHE_KEY_PREFIX="status-bench",
    HUEY_NAME="status-bench",
)
BASE = f"http://127.0.0.1:{run.PORT}"
CODE = "bench-card"
ENDPOINTS = ["status_page", "status_summary"]

SETUP = f"""
from steadfast.providers.models import Provider
Provider.objects.update_or_create(code="{CODE}", defaults=dict(
    kind="payment", adapter="bench_card", name="Card payments (bench)", priority=1, config={{"cooldown": 3600}}))
"""

# Waits for "go" on stdin so Django start-up is not timed; prints the moment the first failing call is recorded.
OUTAGE = f"""
import sys, time
from django.conf import settings
from steadfast.providers.breaker import breaker_admit, breaker_record, breaker_view
from steadfast.providers.models import Provider
provider = Provider.objects.get(code="{CODE}")
print("ready", flush=True)
sys.stdin.readline()
start = time.time()
for _ in range(settings.BREAKER_CONSECUTIVE):
    breaker_record(provider, breaker_admit(provider), "unavailable", "connection refused (bench)")
print(start, time.time(), breaker_view(provider).state, flush=True)
"""


def page():
    with urllib.request.urlopen(BASE + "/status/", timeout=5) as response:
        return response.read().decode()


def component_status(html):
    match = re.search(rf'id="component-payment-{CODE}".*?class="st st-([a-z_]+)"', html, re.S)
    return match.group(1) if match else None


def measure_outage():
    assert component_status(page()) == "operational", "the bench gateway must start healthy"
    outage = subprocess.Popen([run.PY, "-c", "import django; django.setup()\n" + OUTAGE], cwd=run.ROOT, env=run.ENV,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert outage.stdout.readline().strip() == "ready"
    outage.stdin.write("go\n")
    outage.stdin.flush()
    shown = incident = None
    deadline = time.time() + 120
    while time.time() < deadline and not (shown and incident):
        html = page()
        now = time.time()
        if shown is None and component_status(html) not in ("operational", None):
            shown = now
        if incident is None and "Online payments are unavailable" in html:
            incident = now
        time.sleep(0.02)
    start, recorded, state = outage.stdout.readline().split()
    outage.wait(timeout=10)
    start, recorded = float(start), float(recorded)
    print(f"\nbreaker opened (3 failing calls recorded) in {recorded - start:.3f} s; state {state}")
    for label, moment in (("component shown out", shown), ("policy incident shown", incident)):
        text = f"{moment - start:.3f} s" if moment else "not within 120 s"
        print(f"gateway out -> /status/ {label}: {text}")


def main():
    run.WORK.mkdir(parents=True, exist_ok=True)
    print(f"Steadfast status page benchmark — PostgreSQL + Redis, 2 gunicorn workers, {run.USERS} users, "
          f"{run.SECONDS} s per endpoint")
    run.recreate_database()
    run.manage("migrate", "--noinput")
    run.manage("createcachetable")
    run.manage("collectstatic", "--noinput")
    run.manage("demo_data")
    run.django_snippet(SETUP)
    server = subprocess.Popen(
        [run.PY, "-m", "gunicorn", "steadfast.wsgi", "-w", "2", "-b", f"127.0.0.1:{run.PORT}",
         "--log-level", "warning"],
        cwd=run.ROOT, env=run.ENV,
    )
    try:
        run.wait_for(BASE + "/healthz")
        print(f"{'endpoint':<16} {'requests':>9} {'failures':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
        for tag in ENDPOINTS:
            for row in run.run_locust(tag, {}):
                print(f"{row['Name']:<16} {row['Request Count']:>9} {row['Failure Count']:>9} "
                      f"{float(row['Requests/s']):>8.1f} {row['50%']:>8} {row['99%']:>8}")
        measure_outage()
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
