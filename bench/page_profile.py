"""Where a request of a shopper with a cart goes (issue 16): per page, SQL queries (each printed once with its count),
in-process median time, and optionally the top functions by cumulative time (cProfile).

SQLite in a temporary directory with the demo catalog and the real settings, Django's test client; nothing is
asserted. `PROFILE_PAGES=home,cart` picks pages, `PROFILE_TOP=25` prints cProfile's top functions,
`PROFILE_SORT=tottime` orders them, `PROFILE_REQUESTS=40` sets how many requests the median (CPU time of this
process) is taken over. The bare view is requested without a session, as pages_bench measures it.

    .venv/bin/python -m bench.page_profile
"""

import atexit
import cProfile
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.pages_bench import SETTINGS_MODULE, SITE_MODULE

PAGES = os.environ.get("PROFILE_PAGES", "bare,home,category,search,cart,product,status,api").split(",")
TOP = int(os.environ.get("PROFILE_TOP", "0"))
REQUESTS = int(os.environ.get("PROFILE_REQUESTS", "40"))


def _setup():
    work = tempfile.mkdtemp(prefix="steadfast-profile-")
    atexit.register(shutil.rmtree, work, ignore_errors=True)
    os.environ.setdefault("STEADFAST_DATA_DIR", work)
    # The bare view pages_bench divides by, served next to the shop's URLs, for the same comparison in process.
    Path(work, "bench_pages_urls.py").write_text(SITE_MODULE)
    Path(work, "bench_pages_settings.py").write_text(SETTINGS_MODULE)
    sys.path.insert(0, work)
    os.environ.update({"DEBUG": "0", "LOG_LEVEL": "WARNING", "RATELIMIT_ENABLE": "0",
                       "DJANGO_SETTINGS_MODULE": "bench_pages_settings"})
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    import django
    django.setup()
    from django.core.management import call_command
    for command in ("migrate", "createcachetable", "demo_data"):
        call_command(command, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


def _urls():
    from steadfast.catalog.models import Category, Product
    category = Category.objects.filter(products__is_active=True).order_by("pk").first()
    product = Product.objects.filter(is_active=True, in_stock=True).order_by("pk").first()
    return {"bare": "/bench/bare/", "home": "/", "category": category.get_absolute_url(),
            "search": f"/search/?q={product.name.split()[0]}",
            "cart": "/cart/", "product": product.get_absolute_url(), "status": "/status/",
            "api": "/api/v1/products"}, product


def _shopper(product):
    from django.test import Client
    client = Client(HTTP_HOST="127.0.0.1", enforce_csrf_checks=False)
    variant = product.variants.filter(stock__gt=0).first()
    response = client.post("/cart/add/", {"variant": variant.pk, "quantity": 1}, follow=True)
    assert response.status_code == 200, response.status_code
    return client


def main():
    _setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    urls, product = _urls()
    shopper = _shopper(product)
    for name in PAGES:
        url = urls[name]
        # As pages_bench: the bare view for a visitor without a session, every shop page for the shopper with a cart.
        client = Client(HTTP_HOST="127.0.0.1") if name == "bare" else shopper
        client.get(url)
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        captured = list(queries.captured_queries)  # the next request's request_started empties the log
        times = []
        for _ in range(REQUESTS):
            start = time.process_time()
            client.get(url)
            times.append((time.process_time() - start) * 1000)
        print(f"\n== {name} {url}: {response.status_code}, {len(captured)} queries, "
              f"median {statistics.median(times):.2f} ms CPU")
        for sql, count in Counter(q["sql"][:150] for q in captured).items():
            print(f"   {count}x {sql}")
        if TOP:
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(REQUESTS):
                client.get(url)
            profile.disable()
            stats = pstats.Stats(profile, stream=sys.stdout)
            stats.sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(TOP)


if __name__ == "__main__":
    main()
