"""The read replica (DATABASE_REPLICA_URL) fed by real logical replication, with the shop as a real process.

A private PostgreSQL cluster (pgcluster.py) holds the primary and a replica subscribed to it. The shop runs as a
gunicorn node on both. While replication is paused (the replica lags), the product page shows what the replica has
and the cart and checkout read the primary; the order is written to the primary only and reaches the replica once
replication resumes.
"""

import subprocess
import sys
import textwrap

import httpx
import pytest

from steadfast.catalog.tests.pgcluster import PrivateCluster
from steadfast.status.tests.cluster import ROOT, WAIT, Cluster
from steadfast.testing import wait_until

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.only_on("postgresql", reason="the replica setting is for PostgreSQL")]

CREATE = """
from decimal import Decimal
from steadfast.catalog.models import Category, Product, Variant
category = Category.objects.create(slug="boots", name="Boots")
product = Product.objects.create(category=category, name="Hiking boots", slug="hiking-boots")
Variant.objects.create(product=product, sku="BOOT-42", price=Decimal("40.00"), stock=5, options={"size": "42"})
product.refresh_summary()
"""
RENAME = """
from steadfast.catalog.models import Product
product = Product.objects.get(slug="hiking-boots")
product.name = "Trail boots"
product.save()
"""


@pytest.fixture
def pair(tmp_path):
    pg = PrivateCluster().start()
    nodes = Cluster(tmp_path)
    try:
        pg.create_databases("shop", "shop_replica")
        nodes.env.update(DATABASE_URL=pg.url("shop"))
        manage(nodes, "migrate", "--noinput")
        pg.copy_schema("shop", "shop_replica")
        pg.subscribe("shop", "shop_replica")
        yield pg, nodes
    finally:
        nodes.stop_all()
        print("--- private PostgreSQL log", pg.log(), sep="\n")
        pg.stop()


def manage(nodes, *args):
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=nodes.env, capture_output=True,
                          text=True, timeout=2 * WAIT)
    assert done.returncode == 0, f"manage.py {' '.join(args)}: {done.stdout[-1500:]} {done.stderr[-2500:]}"


def test_catalog_reads_the_lagging_replica_while_cart_and_checkout_use_the_primary(pair):
    pg, nodes = pair
    manage(nodes, "shell", "-c", textwrap.dedent(CREATE))
    shop = nodes.web("web", DATABASE_REPLICA_URL=pg.url("shop_replica"))
    nodes.wait_ready("web")

    def product_page():
        return httpx.get(f"{shop}/p/hiking-boots/", timeout=30, trust_env=False)

    wait_until(lambda: "Hiking boots" in (p := product_page()).text and p, describe="the replica to have the boots",
               show=lambda page: page and page.status_code)

    pg.pause("shop_replica")  # the replica now lags the primary
    manage(nodes, "shell", "-c", textwrap.dedent(RENAME))  # staff rename the product: the primary only
    assert pg.sql("shop", "SELECT name FROM catalog_product") == [("Trail boots",)]
    assert pg.sql("shop_replica", "SELECT name FROM catalog_product") == [("Hiking boots",)]

    page = product_page()  # the catalog reads the replica: the old name, still served
    assert page.status_code == 200 and "Hiking boots" in page.text and "Trail boots" not in page.text

    with httpx.Client(base_url=shop, timeout=30, trust_env=False) as shopper:
        variant_id = pg.sql("shop", "SELECT id FROM catalog_variant")[0][0]
        added = shopper.post("/api/v1/cart/items", json={"variant_id": variant_id, "quantity": 1})
        assert added.status_code in (200, 201), added.text
        cart = shopper.get("/api/v1/cart").json()
        assert cart["lines"][0]["product_name"] == "Trail boots", cart  # the cart reads the primary
        placed = shopper.post("/api/v1/checkout/orders", headers={"Idempotency-Key": "replica-logical-1"}, json={
            "contact": {"email": "ann@example.com", "phone": "+48 600 100 200", "full_name": "Ann Nowak"},
            "address": {"line1": "ul. Długa 5", "postcode": "00-950", "city": "Warszawa", "country": "PL"},
            "delivery_method": "courier", "payment_method": "cash_on_delivery"})
        assert placed.status_code == 201, placed.text
    assert pg.sql("shop", "SELECT count(*) FROM orders_order") == [(1,)]
    assert pg.sql("shop", "SELECT stock FROM catalog_variant") == [(4,)]
    assert pg.sql("shop_replica", "SELECT count(*) FROM orders_order") == [(0,)]  # nothing written to the replica

    pg.resume("shop_replica")
    wait_until(lambda: pg.sql("shop_replica", "SELECT count(*) FROM orders_order") == [(1,)]
               and pg.sql("shop_replica", "SELECT name FROM catalog_product") == [("Trail boots",)]
               and pg.sql("shop_replica", "SELECT stock FROM catalog_variant") == [(4,)],
               describe="the replica to catch up with the order, the new name and the stock", every=0.2)
