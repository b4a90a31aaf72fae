"""The API accepts exactly what the checkout forms accept: one set of validators (checkout/validators.py)."""

import pytest
from django.urls import reverse

from steadfast.checkout.tests.walk import add_to_cart
from steadfast.orders.models import Order

pytestmark = pytest.mark.django_db
RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE


def with_contact(body, **contact):
    return {**body, "contact": {**body["contact"], **contact}}


def with_address(body, **address):
    return {**body, "address": {**body["address"], **address}}


@pytest.mark.parametrize(("change", "field", "message"), [
    (lambda b: with_address(b, country="ZZ"), "country", "Choose a country"),
    (lambda b: with_address(b, country="<>"), "country", "Choose a country"),
    (lambda b: with_contact(b, phone="<b>12345</b>"), "phone", "valid phone number"),
    (lambda b: with_contact(b, full_name=f"Ann {RLO}gpj.exe"), "full_name", "text direction"),
    (lambda b: with_address(b, city="War\u0007szawa"), "city", "Control characters"),
    (lambda b: {**b, "note": "ring \u200b twice"}, "note", "Invisible"),
])
def test_the_api_refuses_what_the_forms_refuse(api, make_variant, order_body, change, field, message):
    body = change({**order_body, "lines": [{"variant_id": make_variant().pk, "quantity": 1}]})
    response = api.place(body)
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert any(e["field"].endswith(field) and message in e["message"] for e in errors), errors
    assert not Order.objects.exists()


@pytest.mark.parametrize("where", ["full_name", "line1", "note", "query"])
def test_null_bytes_are_refused_everywhere(api, client, make_variant, order_body, where):
    body = {**order_body, "lines": [{"variant_id": make_variant().pk, "quantity": 1}]}
    if where == "full_name":
        response = api.place(with_contact(body, full_name="Ann\u0000"))
    elif where == "line1":
        response = api.place(with_address(body, line1="ul. D\u0000uga 5"))
    elif where == "note":
        response = api.place({**body, "note": "x\u0000"})
    else:  # PostgreSQL refuses null bytes in a query parameter with an error: the search must never reach it
        response = client.get("/api/v1/products", {"q": "lamp\x00"})
    assert response.status_code == 400 and "Null characters" in response.json()["detail"]
    assert not Order.objects.exists()
    assert client.get("/search/", {"q": "lamp\x00"}).status_code == 400


def test_phones_are_normalised_the_same_way_in_the_api_and_the_form(api, client, make_variant, order_body):
    variant = make_variant(stock=5)
    api.place({**with_contact(order_body, phone="600-100-200"), "lines": [{"variant_id": variant.pk, "quantity": 1}]})
    assert Order.objects.get().phone == "+48 600 100 200"

    add_to_cart(client, variant)
    response = client.post(reverse("checkout:contact"), {"full_name": "Ann", "email": "a@example.com",
                                                         "phone": "<b>12345</b>"})
    assert "valid phone number" in response.content.decode()
    response = client.post(reverse("checkout:contact"), {"full_name": f"Ann{RLO}", "email": "a@example.com",
                                                         "phone": "600100200"})
    assert "text direction" in response.content.decode()
