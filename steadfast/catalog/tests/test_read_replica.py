"""The read replica router (steadfast/replica.py) query by query, against two real databases.

The replica here is a second real database made as a copy of the test database (CREATE DATABASE … TEMPLATE on
PostgreSQL, a file copy on SQLite); real replication is in test_replica_logical.py. The test changes a product name on
the replica only, so every page shows which database it read: catalog pages and the status page read the replica,
the cart, orders and anything after a write read the primary, and every write lands on the primary.
"""

import sqlite3
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from django.db import connection, connections
from django.db.utils import load_backend
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from steadfast.catalog.models import Product, Variant
from steadfast.orders.models import Order
from steadfast.replica import REPLICA, ReplicaMiddleware

pytestmark = pytest.mark.django_db(transaction=True)
REPLICA_NAME = "Boots (as the replica has them)"


def _admin_url():
    import os

    return urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path="/postgres"))


@pytest.fixture
def replica(transactional_db, shop_defaults, make_variant):
    variant = make_variant(stock=5, price="40.00", name="Boots")
    primary = connections.settings["default"]
    if connection.vendor == "postgresql":
        name = f"{primary['NAME']}_replica"
        connections.close_all()  # a template database must have no other sessions
        with psycopg.connect(_admin_url(), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{primary["NAME"]}"')
    else:
        name = f"{primary['NAME']}.replica"
        connections["default"].close()
        with sqlite3.connect(primary["NAME"]) as source, sqlite3.connect(name) as target:
            source.backup(target)
    # Connected before the alias is announced: Django's test case refuses new connections to aliases it was not
    # told about when it started, and this one is made by the test itself.
    replica_db = load_backend(primary["ENGINE"]).DatabaseWrapper({**primary, "NAME": name}, REPLICA)
    replica_db.ensure_connection()
    connections[REPLICA] = replica_db
    connections.settings[REPLICA] = replica_db.settings_dict
    Product.objects.using(REPLICA).filter(pk=variant.product_id).update(name=REPLICA_NAME)
    try:
        yield variant
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]
        if connection.vendor == "postgresql":
            with psycopg.connect(_admin_url(), autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_catalog_and_status_read_the_replica_writes_and_orders_the_primary(replica, client):
    variant = replica
    slug = variant.product.slug
    assert REPLICA_NAME in client.get(f"/p/{slug}/").content.decode()
    assert client.get(f"/api/v1/products/{slug}").json()["name"] == REPLICA_NAME
    with CaptureQueriesContext(connections[REPLICA]) as on_replica, CaptureQueriesContext(connection) as on_primary:
        assert client.get("/status/").status_code == 200
    def shop_data(queries):  # the status page's own tables (providers, incidents), not the cache or the mode row
        return [q["sql"] for q in queries if ('"providers_' in q["sql"] or '"status_' in q["sql"])
                and "status_shopmode" not in q["sql"]]

    assert shop_data(on_replica.captured_queries) and not shop_data(on_primary.captured_queries)

    # The shopper's own path reads and writes the primary.
    assert client.post("/api/v1/cart/items", {"variant_id": variant.pk, "quantity": 1},
                       content_type="application/json").status_code in (200, 201)
    cart = client.get("/api/v1/cart").json()
    assert cart["lines"][0]["product_name"] == "Boots" and REPLICA_NAME not in str(cart)
    placed = client.post("/api/v1/checkout/orders", {
        "contact": {"email": "ann@example.com", "phone": "+48 600 100 200", "full_name": "Ann Nowak"},
        "address": {"line1": "ul. Długa 5", "postcode": "00-950", "city": "Warszawa", "country": "PL"},
        "delivery_method": "courier", "payment_method": "cash_on_delivery"},
        content_type="application/json", headers={"Idempotency-Key": "replica-order-1"})
    assert placed.status_code == 201, placed.content
    assert Order.objects.using("default").count() == 1 and Order.objects.using(REPLICA).count() == 0
    assert Variant.objects.using("default").get(pk=variant.pk).stock == 4
    assert Variant.objects.using(REPLICA).get(pk=variant.pk).stock == 5


def test_a_catalog_request_that_wrote_reads_its_own_write_from_the_primary(replica):
    variant = replica
    seen = []

    def view(request):
        seen.append(Product.objects.get(pk=variant.product_id).name)  # may lag: the replica
        Product.objects.filter(pk=variant.product_id).update(name="Boots, renamed")  # a write: the primary
        seen.append(Product.objects.get(pk=variant.product_id).name)  # fresh: the primary, own write visible
        return HttpResponse("ok")

    ReplicaMiddleware(view)(RequestFactory().get(f"/p/{variant.product.slug}/"))
    assert seen == [REPLICA_NAME, "Boots, renamed"]
    seen.clear()
    ReplicaMiddleware(view)(RequestFactory().get("/checkout/"))  # never the replica outside catalog and status
    assert seen == ["Boots, renamed", "Boots, renamed"]
