"""Two web nodes and two workers behind nginx (the generated config); one node, then one worker, killed with kill -9.

Runs on both setups of the suite: PostgreSQL + Redis (the production topology), and SQLite, where the processes
share the database file in WAL mode, its database cache and the SqliteHuey file, as on one machine.
What a shopper and the shop must see: no GET answered with an error page (nginx passes it to the other node), every
order placed through the API by a client that retries with its Idempotency-Key exists exactly once, stock is taken
once per order, and every confirmation e-mail is sent (the surviving worker takes over what the dead one held).
"""

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from steadfast.catalog.models import Variant
from steadfast.notify.models import OutboxMessage
from steadfast.orders.models import Order
from steadfast.status.tests.cluster import WAIT, Cluster
from steadfast.testing import wait_until

pytestmark = pytest.mark.django_db(transaction=True)

GETS, ORDERS = 240, 30


@pytest.fixture
def cluster(transactional_db, shop_defaults, tmp_path):
    shop = None
    try:
        shop = Cluster(tmp_path)
        yield shop
    finally:
        if shop is not None:
            shop.stop_all()


def order_body(variant, n):
    return {
        "contact": {"email": f"buyer{n}@example.com", "phone": "+48 600 100 200", "full_name": f"Buyer {n}"},
        "address": {"line1": "ul. Długa 5", "postcode": "00-950", "city": "Warszawa", "country": "PL"},
        "delivery_method": "courier", "payment_method": "cash_on_delivery",
        "lines": [{"variant_id": variant.pk, "quantity": 1}],
    }


def place_until_answered(base, body, key, log):
    """A careful API client: no answer, or the proxy's 502/503/504, means "send it again with the same key"."""
    def attempt():
        try:
            answer = httpx.post(f"{base}/api/v1/checkout/orders", json=body, headers={"Idempotency-Key": key},
                                timeout=30, trust_env=False)
        except httpx.HTTPError as error:
            log.append((key, type(error).__name__))
            return None
        log.append((key, answer.status_code))
        return answer if answer.status_code in (200, 201) else None

    return wait_until(attempt, describe=f"order {key} to be placed", every=0.2, timeout=WAIT)


def test_a_web_node_and_a_worker_killed_under_load_lose_and_double_nothing(cluster, make_variant):
    variant = make_variant(stock=1000, price="12.50")
    product = variant.product
    node_a, node_b = cluster.web("web-a"), cluster.web("web-b")
    worker_a = cluster.worker("worker-a")
    cluster.worker("worker-b")
    cluster.wait_ready("web-a")
    cluster.wait_ready("web-b")
    base = cluster.proxy(node_a, node_b)

    pages = ["/", f"/p/{product.slug}/", f"/c/{product.category.slug}/", "/status/", "/api/v1/products",
             f"/api/v1/products/{product.slug}"]
    done, kill_node, kill_worker = [0], threading.Event(), threading.Event()
    lock = threading.Lock()

    def get(n):
        path = pages[n % len(pages)]
        try:
            answer = httpx.get(base + path, timeout=30, trust_env=False)
            result = (path, answer.status_code, "" if answer.status_code == 200 else answer.text[:200])
        except httpx.HTTPError as error:
            result = (path, type(error).__name__, "")
        with lock:
            done[0] += 1
            if done[0] == GETS // 3:
                kill_node.set()
            if done[0] == 2 * GETS // 3:
                kill_worker.set()
        return result

    keys = [f"nodes-{uuid.uuid4()}" for _ in range(ORDERS)]
    attempts = []

    def place(n):
        first = place_until_answered(base, order_body(variant, n), keys[n], attempts)
        if n % 3 == 0:  # the answer "was lost": the client sends the same order again with the same key
            again = place_until_answered(base, order_body(variant, n), keys[n], attempts)
            assert again.status_code == 200 and again.json()["number"] == first.json()["number"], again.text
        return first.json()["number"]

    with ThreadPoolExecutor(8) as pool:  # orders interleaved with the GETs: some are in flight when the node dies
        gets, orders = [], []
        for n in range(GETS):
            gets.append(pool.submit(get, n))
            if n % (GETS // ORDERS) == 0 and len(orders) < ORDERS:
                orders.append(pool.submit(place, len(orders)))
        assert kill_node.wait(WAIT), "the load never reached a third of its GETs"
        cluster.kill(cluster.nodes["web-a"][0])
        assert kill_worker.wait(WAIT), "the load never reached two thirds of its GETs"
        cluster.kill(worker_a)
        results = [future.result() for future in gets]
        numbers = [future.result() for future in orders]

    errors = [result for result in results if result[1] != 200]
    assert errors == [], f"{len(errors)} GETs of {GETS} were not answered 200: {errors[:5]}"

    # The database: one order per key, no more; stock taken once per order; nothing else was placed.
    placed = Order.objects.filter(idempotency_key__in=keys)
    assert sorted(placed.values_list("idempotency_key", flat=True)) == sorted(keys)
    assert sorted(placed.values_list("number", flat=True)) == sorted(numbers)
    assert Order.objects.count() == ORDERS
    assert Variant.objects.get(pk=variant.pk).stock == 1000 - ORDERS
    retried = {key for key, outcome in attempts if outcome not in (200, 201)}
    print(f"{len(attempts)} order attempts for {ORDERS} orders; {len(retried)} keys needed another try")

    # The confirmation e-mails: all sent once the surviving worker (and its sweep) has taken over.
    def all_sent():
        statuses = list(OutboxMessage.objects.filter(order__in=placed).values_list("status", flat=True))
        return len(statuses) >= ORDERS and set(statuses) == {OutboxMessage.Status.SENT}

    wait_until(all_sent, describe="every order's messages sent by the surviving worker", every=0.5, timeout=WAIT,
               show=lambda _: sorted(OutboxMessage.objects.filter(order__in=placed).values_list("status", flat=True)))
    per_order = {}
    for order_id, kind in OutboxMessage.objects.filter(order__in=placed).values_list("order_id", "kind"):
        per_order.setdefault(order_id, []).append(kind)
    assert len(per_order) == ORDERS and all(len(kinds) == len(set(kinds)) for kinds in per_order.values())
