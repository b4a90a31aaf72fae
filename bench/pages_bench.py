"""Launch pages (issue 16): req/s and p99 of each page for a visitor with a cart session and for one without a
session, as ratios to a bare Django view (one query, a tiny template) measured in the same run.

`BENCH_BACKEND=sqlite` (default: SQLite in a temporary directory) or `postgres` (DATABASE_URL and REDIS_URL from the
environment, e.g. `source .pgenv`; the bench uses a database of its own, steadfast_pages_bench, dropped and created
again each run, and cache keys and a Huey queue named for this run only, removed at the end). 2 gunicorn sync
workers, wrk with 32 connections, BENCH_ROUNDS interleaved rounds (default 2; the median is printed) of
BENCH_SECONDS per page (default 5) after a 1 s unmeasured warm-up. Then "pages while orders flow"
(bench/pages_orders.py): the category and product pages again, with no orders and while orders are placed at
BENCH_ORDERS_PER_SECOND (default 5; 0 leaves it out).
`BENCH_CODE=/path/to/other/checkout` measures another checkout of the shop (a before/after comparison) with the
same bare view. Nothing is asserted: the figures are for people (bench/README.md).
"""

import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
import uuid
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.pages_orders import orders_figure
from bench.run import wait_for


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


CODE = Path(os.environ.get("BENCH_CODE", Path(__file__).resolve().parent.parent))
PY = sys.executable
PORT = int(os.environ.get("BENCH_PAGES_PORT", "0")) or _free_port()
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
BASE = f"http://127.0.0.1:{PORT}"
BACKEND = os.environ.get("BENCH_BACKEND", "sqlite")
BACKENDS = {"sqlite": "SQLite", "postgres": "PostgreSQL + Redis"}
PG_DATABASE = "steadfast_pages_bench"
# Cache keys (CACHE_KEY_PREFIX) and Huey's queue (HUEY_NAME) carry this, so the run shares nothing in Redis with
# anyone and its keys can be found and removed afterwards. Huey keeps only [a-z0-9] of its name, hence no dash.
RUN_TAG = f"pagesbench{uuid.uuid4().hex[:10]}"
# Settings the shop reads from the environment that must come from the chosen backend, never from the caller's.
BACKEND_VARIABLES = ("DATABASE_URL", "DATABASE_REPLICA_URL", "REDIS_URL", "CACHE_KEY_PREFIX", "HUEY_NAME")

# Served next to the shop's own URLs: the yardstick every page is divided by.
SITE_MODULE = '''
from django.http import HttpResponse
from django.template import Context, Template
from django.urls import include, path

from steadfast.catalog.models import Category

BARE = Template("<!doctype html><title>bare</title><p>{{ count }} categories</p>")


def bare(request):
    return HttpResponse(BARE.render(Context({"count": Category.objects.count()})))


urlpatterns = [path("bench/bare/", bare), path("", include("steadfast.urls"))]
'''
SETTINGS_MODULE = '''
from steadfast.settings import *  # noqa: F403

ROOT_URLCONF = "bench_pages_urls"
'''


def main():
    backend_env = _backend_env()  # first: a wrong BENCH_BACKEND or a missing URL stops the run before any work
    work = Path(tempfile.mkdtemp(prefix="steadfast-pages-bench-"))
    try:
        env = _shop(work, backend_env)
        server = subprocess.Popen(
            [PY, "-m", "gunicorn", "steadfast.wsgi", "-w", "2", "-k", "sync", "-b", f"127.0.0.1:{PORT}",
             "--log-level", "warning"], cwd=CODE, env=env)
        try:
            wait_for(f"{BASE}/healthz")
            _measure(env)
        finally:
            server.terminate()
            server.wait(timeout=20)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if BACKEND == "postgres":
            _forget_redis_keys()


def _shop(work, backend_env) -> dict:
    """The shop's environment, its database filled with the demo catalog; returns the environment."""
    (work / "bench_pages_urls.py").write_text(SITE_MODULE)
    (work / "bench_pages_settings.py").write_text(SETTINGS_MODULE)
    env = {key: value for key, value in os.environ.items() if key not in BACKEND_VARIABLES}
    env.update({**backend_env, "STEADFAST_DATA_DIR": str(work), "DEBUG": "0", "LOG_LEVEL": "WARNING",
                "RATELIMIT_ENABLE": "0", "DJANGO_SETTINGS_MODULE": "bench_pages_settings",
                "PYTHONPATH": f"{work}:{CODE}"})
    for command in (["migrate", "--noinput"], ["createcachetable"], ["collectstatic", "--noinput"], ["demo_data"]):
        subprocess.run([PY, "manage.py", *command], cwd=CODE, env=env, check=True, stdout=subprocess.DEVNULL)
    return env


def _measure(env):
    pages, ids = _pages(env)
    cookie = _shopper_with_cart(pages["product"])
    print(f"Launch pages — {BACKENDS[BACKEND]}, 2 gunicorn sync workers, wrk {CONNECTIONS} connections, "
          f"{SECONDS} s per page, median of {ROUNDS} interleaved rounds; code: {CODE}; "
          f"load average before: {_load()}")
    results = {}
    for _round in range(ROUNDS):
        for name, path in pages.items():
            for session in ((False, True) if name != "bare" else (False,)):
                results.setdefault((name, session), []).append(_wrk(path, cookie if session else ""))
    bare = _print(results, pages)
    orders_figure(_wrk, pages, cookie, bare, base=BASE, python=PY, code=CODE, env=env, ids=ids, rounds=ROUNDS)
    print(f"load average after: {_load()}")


def _backend_env() -> dict:
    if BACKEND not in BACKENDS:
        sys.exit(f"BENCH_BACKEND must be one of {', '.join(BACKENDS)} (default sqlite), not {BACKEND!r}.")
    if BACKEND == "sqlite":
        return {}  # the shop's default: SQLite files and the database cache in STEADFAST_DATA_DIR
    url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not (url.startswith(("postgres://", "postgresql://")) and redis_url):
        sys.exit("BENCH_BACKEND=postgres needs DATABASE_URL (postgres://…) and REDIS_URL, e.g. `source .pgenv`.")
    _recreate_database(url)
    return {"DATABASE_URL": urlunsplit(urlsplit(url)._replace(path=f"/{PG_DATABASE}")), "REDIS_URL": redis_url,
            "CACHE_KEY_PREFIX": RUN_TAG, "HUEY_NAME": RUN_TAG}


def _recreate_database(url):
    """A database of the bench's own, empty each run (as bench/nodes_bench.py): nobody else's rows are touched."""
    import psycopg

    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DATABASE}")


def _forget_redis_keys():
    """This run's cache entries, sessions and Huey queue: every key holding RUN_TAG, which nothing else uses."""
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    for key in client.scan_iter(match=f"*{RUN_TAG}*", count=1000):
        client.delete(key)


def _pages(env) -> tuple:
    found = subprocess.run(
        [PY, "-c", "import django; django.setup()\n"
                   "from steadfast.catalog.models import Category, Product\n"
                   "c = Category.objects.filter(products__is_active=True).order_by('pk').first()\n"
                   "p = Product.objects.filter(is_active=True, in_stock=True).order_by('pk').first()\n"
                   "print(c.pk, p.pk, c.get_absolute_url(), p.get_absolute_url(), p.name.split()[0])"],
        cwd=CODE, env=env, check=True, capture_output=True, text=True).stdout.split()
    category_pk, product_pk, category, product, word = found[-5:]
    pages = {"bare": "/bench/bare/", "category": category, "search": f"/search/?q={urllib.parse.quote(word)}",
             "home": "/", "cart": "/cart/", "product": product, "status": "/status/", "api": "/api/v1/products"}
    return pages, (int(category_pk), int(product_pk))  # the ids: the orders figure buys something else


def _shopper_with_cart(product_path) -> str:
    """A real session with one item in the cart, added through the shop's own form; returns the Cookie header."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(BASE + product_path).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    choices = re.findall(r'name="variant" value="(\d+)"([^>]*)>', html)
    variant = next(pk for pk, rest in choices if "disabled" not in rest)
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "variant": variant, "quantity": "1"}).encode()
    request = urllib.request.Request(BASE + "/cart/add/", data=data, headers={"Referer": BASE + product_path})
    opener.open(request).read()  # follows the redirect to the cart, which shows the "added" message
    cookies = {cookie.name: cookie.value for cookie in jar if cookie.value}
    assert "sessionid" in cookies, cookies
    page = opener.open(BASE + "/cart/").read().decode()
    assert re.search(r'class="cart-count[^"]*"[^>]*>1<', page), "the cart did not get the item"
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def _wrk(path, cookie) -> dict:
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", "--latency", BASE + path]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    subprocess.run([*command, "-d1s"], capture_output=True, check=True)
    out = subprocess.run([*command, f"-d{SECONDS}s"], capture_output=True, text=True, check=True).stdout
    p99 = re.search(r"^\s+99%\s+([\d.]+)(\w+)", out, flags=re.M)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p99": float(p99.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)],
            "errors": int(errors.group(1)) if errors else 0}


def _print(results, pages) -> float:
    """Prints the table; returns the bare view's median req/s, the yardstick of the next figure too."""
    bare = statistics.median(r["rps"] for r in results[("bare", False)])
    print(f"\nbare view: {bare:.0f} req/s, p99 {statistics.median(r['p99'] for r in results[('bare', False)]):.0f} ms")
    print(f"{'page':<10} {'session+cart ÷ bare':>20} {'p99 ms':>7} {'no session ÷ bare':>18} {'p99 ms':>7} errors")
    for name in pages:
        if name == "bare":
            continue
        row = [name]
        errors = 0
        for session in (True, False):
            runs = results[(name, session)]
            row += [statistics.median(r["rps"] for r in runs) / bare, statistics.median(r["p99"] for r in runs)]
            errors += sum(r["errors"] for r in runs)
        print(f"{row[0]:<10} {row[1]:>20.2f} {row[2]:>7.0f} {row[3]:>18.2f} {row[4]:>7.0f} {errors}")
    return bare


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


if __name__ == "__main__":
    main()
