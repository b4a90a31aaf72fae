"""Shop benchmark (issue 3): PostgreSQL + Redis, 2 gunicorn workers, bounded locust load on 127.0.0.1.

Prints req/s, p50 and p99 per endpoint and SQL queries per page at two catalog sizes. Nothing is asserted:
the figures are for people. Run with `make bench`.
"""

import csv
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
WORK = Path(os.environ.get("BENCH_DIR", "/tmp/steadfast-bench"))
PORT = int(os.environ.get("BENCH_PORT", "8100"))
USERS = int(os.environ.get("BENCH_USERS", "32"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
DB_NAME = "steadfast_bench"
ENDPOINTS = ["home", "category", "product", "add_to_cart", "place_order"]

ENV = {
    **os.environ,
    "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"),
    "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/3"),
    "CACHE_KEY_PREFIX": "bench",
    "HUEY_NAME": "bench",
    "STEADFAST_DATA_DIR": str(WORK),
    "DEBUG": "0",
    "LOG_LEVEL": "WARNING",
    "RATELIMIT_ENABLE": "0",  # the load comes from one IP; rate limits would measure themselves
    "ORDER_MAX_OPEN_UNPAID": "1000000",  # one bench shopper, every order unpaid: the hoarding limit would refuse them
    "DJANGO_SETTINGS_MODULE": "steadfast.settings",
}


def manage(*args):
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=ENV, check=True, stdout=subprocess.DEVNULL)


def recreate_database():
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")


def django_snippet(code):
    out = subprocess.run(
        [PY, "-c", "import django; django.setup()\n" + code],
        cwd=ROOT,
        env=ENV,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout


def wait_for(url, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"server did not answer {url} within {seconds} s")


def run_locust(tag, targets):
    prefix = WORK / f"locust-{tag}"
    subprocess.run(
        [
            PY,
            "-m",
            "locust",
            "-f",
            str(ROOT / "bench" / "locustfile.py"),
            "--headless",
            "-u",
            str(USERS),
            "-r",
            str(USERS),
            "-t",
            f"{SECONDS}s",
            "--host",
            f"http://127.0.0.1:{PORT}",
            "--tags",
            tag,
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "ERROR",
        ],
        cwd=ROOT,
        env={**ENV, **targets},
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    with open(f"{prefix}_stats.csv") as handle:
        return [
            row
            for row in csv.DictReader(handle)
            if row["Name"] not in ("Aggregated",) and "for token" not in row["Name"]
        ]


WRK_PAGES = {"home": "BENCH_HOME", "category": "BENCH_CATEGORIES", "product": "BENCH_PRODUCTS"}


def run_wrk(tag, targets):
    """GET pages with wrk (C, light on the shared CPU): random path per request from the same lists as locust."""
    if tag == "home":
        paths = ["/"]
    else:
        prefix = "/c/" if tag == "category" else "/p/"
        paths = [f"{prefix}{slug}/" for slug in targets[WRK_PAGES[tag]].split(",")]
    script = WORK / f"wrk-{tag}.lua"
    listed = ", ".join(f'"{path}"' for path in paths)
    script.write_text(f"local paths = {{{listed}}}\n"
                      "request = function() return wrk.format('GET', paths[math.random(#paths)]) end\n")
    command = ["wrk", "-t2", f"-c{USERS}", "--latency", "-s", str(script), f"http://127.0.0.1:{PORT}/"]
    # A short unmeasured run first: the figures are for a warm server, not for the first render of each page.
    subprocess.run([*command, "-d2s"], capture_output=True, check=True)
    out = subprocess.run([*command, f"-d{SECONDS}s"], capture_output=True, text=True, check=True).stdout
    percent = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, flags=re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return [{"Name": tag, "Request Count": re.search(r"(\d+) requests in", out).group(1),
             "Failure Count": errors.group(1) if errors else "0",
             "Requests/s": re.search(r"Requests/sec:\s+([\d.]+)", out).group(1),
             "50%": _ms(percent["50"]), "99%": _ms(percent["99"])}]


def _ms(text):
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return f"{float(value) * {'us': 0.001, 'ms': 1, 's': 1000}[unit]:.0f}"


def main():
    WORK.mkdir(parents=True, exist_ok=True)
    print(f"Steadfast shop benchmark — PostgreSQL + Redis, 2 gunicorn workers, {USERS} users, {SECONDS} s per endpoint")
    recreate_database()
    manage("migrate", "--noinput")
    manage("createcachetable")
    manage("collectstatic", "--noinput")
    manage("demo_data")
    print("\nSQL queries per page for a visitor with a session (constant whatever the catalog size):")
    print(django_snippet("from bench.query_counts import main; main()"))
    targets = dict(
        line.split("=", 1) for line in django_snippet("from bench.query_counts import targets; targets()").split()
    )
    server = subprocess.Popen(
        [PY, "-m", "gunicorn", "steadfast.wsgi", "-w", "2", "-b", f"127.0.0.1:{PORT}", "--log-level", "warning"],
        cwd=ROOT,
        env=ENV,
    )
    try:
        wait_for(f"http://127.0.0.1:{PORT}/healthz")
        use_wrk = shutil.which("wrk") is not None
        print(f"load: {'wrk for page views, ' if use_wrk else ''}locust for add-to-cart and place-order")
        print(f"{'endpoint':<14} {'requests':>9} {'failures':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
        results = {}
        for tag in ENDPOINTS:
            rows = run_wrk(tag, targets) if use_wrk and tag in WRK_PAGES else run_locust(tag, targets)
            for row in rows:
                results[row["Name"]] = row
                print(
                    f"{row['Name']:<14} {row['Request Count']:>9} {row['Failure Count']:>9} "
                    f"{float(row['Requests/s']):>8.1f} {row['50%']:>8} {row['99%']:>8}"
                )
        product = results.get("product")
        if product:
            verdict = "meets" if float(product["99%"]) < 100 else "MISSES"
            print(f"\nproduct page p99 {product['99%']} ms at {USERS} connections: {verdict} the < 100 ms target")
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
