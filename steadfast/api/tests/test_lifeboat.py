"""The watcher's doors into the shop: the export it keeps for the emergency page, and order requests that become
exactly one order each, whatever the number of pushes."""

import pytest

from steadfast.catalog.models import Variant
from steadfast.orders.models import Order, OrderStatus

TOKEN = "t" * 32


@pytest.fixture
def lifeboat_on(settings):
    settings.LIFEBOAT_TOKEN = TOKEN


def auth(token=TOKEN):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def request_body(sku, **changes):
    body = {"request_id": "req-0001-abcdef", "received_at": "2026-11-30T20:00:00+00:00", "full_name": "Ewa Nowak",
            "phone": "+48 600 100 200", "email": "ewa@example.com", "delivery_method": "courier",
            "address_line1": "ul. Polna 3", "postcode": "00-950", "city": "Warszawa", "country": "pl",
            "note": "Before Friday please", "lines": [{"sku": sku, "quantity": 2}]}
    return {**body, **changes}


@pytest.mark.django_db
def test_export_lists_contacts_and_catalog_only_with_the_token(client, lifeboat_on, make_variant):
    variant = make_variant(stock=4, price="12.50", name="Wool hat")

    assert client.get("/api/v1/lifeboat").status_code == 401
    assert client.get("/api/v1/lifeboat", **auth("x" * 32)).status_code == 401
    body = client.get("/api/v1/lifeboat", **auth()).json()

    assert body["shop"]["phone"] and body["shop"]["email"] and body["shop"]["currency"] == "EUR"
    hat = next(p for p in body["products"] if p["name"] == "Wool hat")
    assert hat["variants"] == [{"sku": variant.sku, "label": "M", "price": "12.50", "in_stock": True}]
    assert {"courier", "pickup"} <= {m["code"] for m in body["delivery_methods"]}


@pytest.mark.django_db
def test_without_a_configured_token_the_endpoints_do_not_exist(client, settings, make_variant):
    settings.LIFEBOAT_TOKEN = ""
    assert client.get("/api/v1/lifeboat", **auth()).status_code == 404
    assert client.post("/api/v1/lifeboat/orders", request_body("x"), content_type="application/json",
                       **auth()).status_code == 404


@pytest.mark.django_db
def test_an_order_request_pushed_twice_is_one_order_awaiting_offline_payment(client, lifeboat_on, make_variant):
    variant = make_variant(stock=5, price="10.00")
    body = request_body(variant.sku)

    first = client.post("/api/v1/lifeboat/orders", body, content_type="application/json", **auth())
    again = client.post("/api/v1/lifeboat/orders", body, content_type="application/json", **auth())

    assert first.status_code == 201 and again.status_code == 200, (first.content, again.content)
    assert first.json()["number"] == again.json()["number"]
    order = Order.objects.get()
    assert order.status == OrderStatus.AWAITING_OFFLINE_PAYMENT and order.payment_method == "cash_on_delivery"
    assert order.country == "PL" and "emergency page" in order.note and "Before Friday" in order.note
    assert [(line.sku, line.quantity) for line in order.lines.all()] == [(variant.sku, 2)]
    assert "lifeboat_request" in list(order.events.values_list("kind", flat=True))
    assert Variant.objects.get(pk=variant.pk).stock == 3


@pytest.mark.django_db
def test_a_request_the_shop_cannot_fill_is_refused_and_changes_nothing(client, lifeboat_on, make_variant):
    variant = make_variant(stock=1)
    gone = client.post("/api/v1/lifeboat/orders", request_body("NO-SUCH-SKU"), content_type="application/json",
                       **auth())
    short = client.post("/api/v1/lifeboat/orders", request_body(variant.sku), content_type="application/json",
                        **auth())
    bad = client.post("/api/v1/lifeboat/orders", request_body(variant.sku, request_id="a b"),
                      content_type="application/json", **auth())

    assert gone.status_code == 409 and "NO-SUCH-SKU" in gone.json()["detail"]
    assert short.status_code == 409 and "not enough stock" in short.json()["detail"]
    assert bad.status_code == 422
    assert not Order.objects.exists() and Variant.objects.get(pk=variant.pk).stock == 1
