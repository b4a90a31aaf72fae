"""A node that loses its database: /readyz says so, nginx stops sending it shoppers, it serves again by itself.

On PostgreSQL each node reaches the database through its own TCP relay, which the test cuts (connections reset,
new ones refused) and restores, so the outage and the recovery are real network events for that node only; then
both relays are cut, the whole shop without its database: pages the cache holds are still served, with the notice
that ordering is paused, and an order is refused with that message (never a 500). On SQLite there is no network to
cut: the broken node is given a database path it cannot open (a directory), which shows the same refusal and the
same stepping aside; recovery is the PostgreSQL part's (the same code path: the check is made again each 200 ms).
A node that loses Redis is tested the same way on PostgreSQL + Redis runs: it steps aside, still serves as the last
resort (the lenient cache degrades to "not cached"), and comes back by itself.
"""

from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from steadfast.orders.models import Order
from steadfast.status.tests.cluster import WAIT, Cluster, Relay
from steadfast.testing import wait_until

pytestmark = pytest.mark.django_db(transaction=True)

PAUSED = "Online ordering is paused; you can browse the catalog."


@pytest.fixture
def cluster(transactional_db, shop_defaults, tmp_path):
    shop = None
    try:
        shop = Cluster(tmp_path)
        yield shop
    finally:
        if shop is not None:
            shop.stop_all()


def readyz(url):
    answer = httpx.get(f"{url}/readyz", timeout=10, trust_env=False)
    return answer.status_code, answer.json()


def get(url, path, stage=None):
    headers = {"X-Steadfast-Proxy": stage} if stage else {}
    return httpx.get(url + path, headers=headers, timeout=30, trust_env=False)


def through_relay(database_url, relay):
    parts = urlsplit(database_url)
    netloc = parts.netloc.rsplit("@", 1)
    host = f"127.0.0.1:{relay.port}"
    return urlunsplit(parts._replace(netloc=f"{netloc[0]}@{host}" if len(netloc) == 2 else host))


def order(variant):
    return {"contact": {"email": "ann@example.com", "phone": "+48 600 100 200", "full_name": "Ann Nowak"},
            "address": {"line1": "ul. Długa 5", "postcode": "00-950", "city": "Warszawa", "country": "PL"},
            "delivery_method": "courier", "payment_method": "cash_on_delivery",
            "lines": [{"variant_id": variant.pk, "quantity": 1}]}


def assert_proxy_serves_every_get(base, paths, rounds=10):
    for _ in range(rounds):
        for path in paths:
            answer = get(base, path)
            assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])


@pytest.mark.only_on("postgresql", reason="network relay: the SQLite variant is below")
def test_node_without_its_database_steps_aside_and_comes_back_pg(cluster, make_variant):
    variant = make_variant(stock=50)
    product_page = f"/p/{variant.product.slug}/"
    database = urlsplit(cluster.env["DATABASE_URL"])
    relays = [Relay(database.hostname, database.port or 5432) for _ in range(2)]
    urls = [cluster.web(f"web-{n}", DATABASE_URL=through_relay(cluster.env["DATABASE_URL"], relays[n]))
            for n in range(2)]
    for n in range(2):
        cluster.wait_ready(f"web-{n}")
    base = cluster.proxy(*urls)
    assert get(base, product_page).status_code == 200  # in the shared page cache now (Redis)

    relays[1].cut()
    status, body = wait_until(lambda: (s := readyz(urls[1]))[0] == 503 and s, describe="web-1 to say not ready")
    assert body["failing"] == ["database"]
    wait_until(lambda: get(urls[1], product_page, "first").status_code == 503,  # its gate re-checks every 200 ms
               describe="web-1 to step aside for the proxy")
    assert_proxy_serves_every_get(base, ["/", product_page, "/status/", "/api/v1/products"])

    relays[0].cut()  # now the whole shop has no database
    wait_until(lambda: get(urls[0], product_page, "first").status_code == 503, describe="web-0 to step aside")
    page = get(base, product_page)
    assert page.status_code == 200 and PAUSED in page.text and variant.product.name in page.text, page.text[:500]
    refused = httpx.post(f"{base}/api/v1/checkout/orders", json=order(variant), timeout=30, trust_env=False,
                         headers={"Idempotency-Key": "db-down-order-1"})
    assert refused.status_code == 503 and "ordering" in refused.json()["error"], refused.text

    for relay in relays:
        relay.restore()
    for url in urls:
        wait_until(lambda u=url: readyz(u)[0] == 200, describe=f"{url} ready again", timeout=WAIT)
    for url in urls:  # each node's gate re-checks on its own beat (READY_RECHECK_MS), after /readyz already says so
        wait_until(lambda u=url: get(u, product_page, "first").status_code == 200, describe=f"{url} serving again")
    page = get(base, product_page)
    assert page.status_code == 200 and PAUSED not in page.text
    placed = httpx.post(f"{base}/api/v1/checkout/orders", json=order(variant), timeout=30, trust_env=False,
                        headers={"Idempotency-Key": "db-back-order-1"})
    assert placed.status_code == 201, placed.text
    assert list(Order.objects.values_list("idempotency_key", flat=True)) == ["db-back-order-1"]


@pytest.mark.only_on("sqlite", reason="SQLite variant; the PostgreSQL one is above")
def test_node_that_cannot_open_its_database_steps_aside_sqlite(cluster, make_variant, tmp_path):
    variant = make_variant(stock=50)
    broken = tmp_path / "broken"
    (broken / "steadfast.sqlite3").mkdir(parents=True)  # a directory where the database file should be
    good = cluster.web("web-good")
    bad = cluster.web("web-bad", STEADFAST_DATA_DIR=str(broken),
                      DATABASE_URL=f"sqlite:///{broken / 'steadfast.sqlite3'}")
    cluster.wait_ready("web-good")
    wait_until(lambda: readyz(bad)[0] == 503, describe="web-bad to answer not ready", ignore=(httpx.HTTPError,),
               timeout=WAIT)
    assert readyz(bad)[1]["failing"] == ["database", "cache"]  # the cache is the database here
    base = cluster.proxy(good, bad)
    assert_proxy_serves_every_get(base, ["/", f"/p/{variant.product.slug}/", "/status/", "/api/v1/products"])

    # Asked as the last resort, the broken node says ordering is paused instead of failing with a 500.
    page = get(bad, f"/p/{variant.product.slug}/", "last")
    assert page.status_code == 503 and "technical problem" in page.text, page.text[:500]
    refused = httpx.post(f"{bad}/api/v1/checkout/orders", json=order(variant), timeout=30, trust_env=False,
                         headers={"Idempotency-Key": "db-down-order-1", "X-Steadfast-Proxy": "write"})
    assert refused.status_code == 503 and refused.json()["error"] == "ordering_unavailable", refused.text
    assert Order.objects.count() == 0


@pytest.mark.only_on("postgresql", reason="Redis exists only in the PostgreSQL + Redis setup")
def test_node_without_redis_steps_aside_and_comes_back_pg(cluster, make_variant):
    import os

    variant = make_variant(stock=5)
    product_page = f"/p/{variant.product.slug}/"
    redis = urlsplit(os.environ["REDIS_URL"])
    relay = Relay(redis.hostname, redis.port or 6379)
    good = cluster.web("web-good")
    cut = cluster.web("web-cut", REDIS_URL=urlunsplit(redis._replace(netloc=f"127.0.0.1:{relay.port}")))
    cluster.wait_ready("web-good")
    cluster.wait_ready("web-cut")
    base = cluster.proxy(good, cut)

    relay.cut()
    status, body = wait_until(lambda: (s := readyz(cut))[0] == 503 and s, describe="web-cut to say not ready")
    assert body["failing"] == ["cache"]
    wait_until(lambda: get(cut, product_page, "first").status_code == 503, describe="web-cut to step aside")
    assert_proxy_serves_every_get(base, ["/", product_page, "/status/"])
    # As the last resort it still serves: the lenient cache degrades to "not cached", the database is there.
    page = get(cut, product_page, "last")
    assert page.status_code == 200 and variant.product.name in page.text and PAUSED not in page.text

    relay.restore()
    wait_until(lambda: readyz(cut)[0] == 200, describe="web-cut ready again", timeout=WAIT)
    wait_until(lambda: get(cut, product_page, "first").status_code == 200, describe="web-cut serving again")
