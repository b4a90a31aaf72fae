"""Launch pages (issue 16): req/s and p99 of each page for a visitor with a cart session and for one without a
session, as ratios to a bare Django view (one query, a tiny template) measured in the same run.

SQLite in a temporary directory, 2 gunicorn sync workers, wrk with 32 connections, BENCH_ROUNDS interleaved rounds
(default 2; the median is printed) of BENCH_SECONDS per page (default 5) after a 1 s unmeasured warm-up.
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
from http.cookiejar import CookieJar
from pathlib import Path

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
    work = Path(tempfile.mkdtemp(prefix="steadfast-pages-bench-"))
    (work / "bench_pages_urls.py").write_text(SITE_MODULE)
    (work / "bench_pages_settings.py").write_text(SETTINGS_MODULE)
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    env.update({"STEADFAST_DATA_DIR": str(work), "DEBUG": "0", "LOG_LEVEL": "WARNING", "RATELIMIT_ENABLE": "0",
                "DJANGO_SETTINGS_MODULE": "bench_pages_settings", "PYTHONPATH": f"{work}:{CODE}"})
    for command in (["migrate", "--noinput"], ["createcachetable"], ["collectstatic", "--noinput"], ["demo_data"]):
        subprocess.run([PY, "manage.py", *command], cwd=CODE, env=env, check=True, stdout=subprocess.DEVNULL)
    server = subprocess.Popen(
        [PY, "-m", "gunicorn", "steadfast.wsgi", "-w", "2", "-k", "sync", "-b", f"127.0.0.1:{PORT}",
         "--log-level", "warning"], cwd=CODE, env=env)
    try:
        wait_for(f"{BASE}/healthz")
        pages = _pages(env)
        cookie = _shopper_with_cart(pages["product"])
        print(f"Launch pages — SQLite, 2 gunicorn sync workers, wrk {CONNECTIONS} connections, {SECONDS} s per page, "
              f"median of {ROUNDS} interleaved rounds; code: {CODE}; load average before: {_load()}")
        results = {}
        for _round in range(ROUNDS):
            for name, path in pages.items():
                for session in ((False, True) if name != "bare" else (False,)):
                    figures = _wrk(path, cookie if session else "")
                    results.setdefault((name, session), []).append(figures)
        _print(results, pages)
        print(f"load average after: {_load()}")
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(work, ignore_errors=True)


def _pages(env) -> dict:
    found = subprocess.run(
        [PY, "-c", "import django; django.setup()\n"
                   "from steadfast.catalog.models import Category, Product\n"
                   "c = Category.objects.filter(products__is_active=True).order_by('pk').first()\n"
                   "p = Product.objects.filter(is_active=True, in_stock=True).order_by('pk').first()\n"
                   "print(c.get_absolute_url(), p.get_absolute_url(), p.name.split()[0])"],
        cwd=CODE, env=env, check=True, capture_output=True, text=True).stdout.split()
    category, product, word = found[-3:]
    return {"bare": "/bench/bare/", "category": category, "search": f"/search/?q={urllib.parse.quote(word)}",
            "home": "/", "cart": "/cart/", "product": product, "status": "/status/", "api": "/api/v1/products"}


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


def _print(results, pages):
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




def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


if __name__ == "__main__":
    main()
