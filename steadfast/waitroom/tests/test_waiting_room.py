"""The waiting room on a real gunicorn node: a burst of new visitors queues while a shopper with a cart orders.

Load is real: the test holds requests in flight on the node (API requests whose body it never finishes sending) up
to WAITROOM_MAX_INFLIGHT, then lets them go. The room's state is shared through Redis on PostgreSQL runs and through
the database cache on SQLite runs (the same code, the lenient cache alias).
"""

import socket
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from steadfast.orders.models import Order
from steadfast.status.tests.cluster import Cluster
from steadfast.testing import wait_until

pytestmark = pytest.mark.django_db(transaction=True)

LIMIT, BURST = 3, 12


@pytest.fixture
def node(transactional_db, shop_defaults, tmp_path):
    shop = None
    try:
        shop = Cluster(tmp_path, WAITROOM_MAX_INFLIGHT=str(LIMIT), WAITROOM_LINGER_SECONDS="0")
        url = shop.web("web", threads=12)
        shop.wait_ready("web")
        yield url
    finally:
        if shop is not None:
            shop.stop_all()


def hold_request(url):
    """A request that stays in flight: headers and the start of a body whose rest never comes."""
    port = int(url.rsplit(":", 1)[1])
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.sendall(b"POST /api/v1/cart/items HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 500\r\n\r\n{")
    return sock


def busy(url):
    return 'id="shop-busy"' in httpx.get(f"{url}/status/", timeout=30, trust_env=False).text


def test_burst_of_new_visitors_queues_while_a_shopper_with_a_cart_orders(node, make_variant):
    variant = make_variant(stock=10, price="30.00")
    shopper = httpx.Client(base_url=node, trust_env=False, timeout=30)
    assert shopper.post("/api/v1/cart/items", json={"variant_id": variant.pk, "quantity": 1}).status_code in (200, 201)
    assert not busy(node)

    held = [hold_request(node) for _ in range(LIMIT)]
    try:
        wait_until(lambda: busy(node), describe="the status page to say the shop is busy", every=0.2)

        def new_visitor(_n):
            client = httpx.Client(base_url=node, trust_env=False, timeout=30)
            return client, client.get("/")

        with ThreadPoolExecutor(6) as pool:
            visitors = list(pool.map(new_visitor, range(BURST)))
        for _client, page in visitors:
            assert page.status_code == 503 and 'id="waiting-room"' in page.text, page.text[:300]
            assert '<meta http-equiv="refresh"' in page.text and page.headers["Cache-Control"] == "no-store"
        places = sorted(int(page.text.split('id="position">')[1].split("<")[0]) for _c, page in visitors)
        assert places[0] >= 1 and places[-1] <= BURST

        # Meanwhile the shopper with a cart browses and orders as if nothing happened.
        assert shopper.get("/").status_code == 200
        assert shopper.get(f"/p/{variant.product.slug}/").status_code == 200
        assert shopper.get("/api/v1/checkout/options").status_code == 200
        placed = shopper.post("/api/v1/checkout/orders", headers={"Idempotency-Key": "waitroom-shopper-1"}, json={
            "contact": {"email": "ann@example.com", "phone": "+48 600 100 200", "full_name": "Ann Nowak"},
            "address": {"line1": "ul. Długa 5", "postcode": "00-950", "city": "Warszawa", "country": "PL"},
            "delivery_method": "courier", "payment_method": "cash_on_delivery"})
        assert placed.status_code == 201, placed.text
        assert Order.objects.get().number == placed.json()["number"]

        # Still full: a queued visitor who refreshes keeps waiting.
        first_client = min(visitors, key=lambda v: int(v[1].text.split('id="position">')[1].split("<")[0]))[0]
        assert first_client.get("/").status_code == 503
    finally:
        for sock in held:
            sock.close()

    # Capacity is back: the queue is let in, first in line first, and stays in.
    wait_until(lambda: first_client.get("/").status_code == 200, describe="the first in line to be let in",
               every=0.5)
    assert first_client.get(f"/p/{variant.product.slug}/").status_code == 200
    for client, _page in visitors:
        client.close()
    shopper.close()
