"""Stock hoarding through the API: a made-up e-mail and cash on delivery must not hold the stock for long."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from steadfast.catalog.models import Variant
from steadfast.notify.models import OutboxMessage
from steadfast.orders.models import Order, OrderStatus
from steadfast.orders.services import orders_expire_reservations

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def hoarding_limits(settings):
    settings.ORDER_MAX_QUANTITY_PER_LINE = 5
    settings.ORDER_MAX_VALUE_UNVERIFIED = 300
    settings.ORDER_MAX_OPEN_UNPAID = 2
    settings.OFFLINE_CONFIRM_MINUTES = 60
    settings.RESERVATION_ALERT_UNITS = 8
    settings.STAFF_ALERT_EMAILS = ["staff@example.com"]


def lines(*pairs):
    return [{"variant_id": v.pk, "quantity": q} for v, q in pairs]


def test_a_guest_cannot_reserve_more_than_the_per_line_quantity(api, make_variant, order_body):
    variant = make_variant(stock=99)
    response = api.place({**order_body, "lines": lines((variant, 6))})
    assert response.status_code == 422 and "at most 5 of one item" in response.json()["detail"]
    assert Variant.objects.get(pk=variant.pk).stock == 99 and not Order.objects.exists()


def test_a_guest_order_above_the_value_limit_needs_an_account(api, make_variant, order_body, django_user_model):
    expensive = make_variant(stock=9, price="200.00")
    response = api.place({**order_body, "lines": lines((expensive, 2))})
    assert response.status_code == 422 and "need an account" in response.json()["detail"]
    assert Variant.objects.get(pk=expensive.pk).stock == 9

    # A customer who activated an account from an e-mail link is not a guest.
    ann = django_user_model.objects.create_user("ann@example.com", "ann@example.com", "Corrugated-Lantern-42")
    Client.force_login(api_client := Client(), ann)
    response = api_client.post("/api/v1/checkout/orders", {**order_body, "lines": lines((expensive, 6))},
                               content_type="application/json", headers={"Idempotency-Key": "verified-01"})
    assert response.status_code == 201, response.content
    assert Order.objects.get().confirmed_at is not None  # and its offline order needs no confirmation


def test_open_unpaid_orders_are_capped_per_email_phone_and_address(api, make_variant, order_body):
    variant = make_variant(stock=50)
    first = api.place({**order_body, "lines": lines((variant, 1))})
    other_email = {**order_body, "contact": {**order_body["contact"], "email": "zed@example.com"}}
    second = api.place({**other_email, "lines": lines((variant, 1))})  # same phone and street
    third = api.place({**other_email, "contact": {**other_email["contact"], "phone": "+48 700 000 001"},
                       "lines": lines((variant, 1))})  # only the street is the same

    assert (first.status_code, second.status_code, third.status_code) == (201, 201, 422)
    assert "already have 2 unpaid orders" in third.json()["detail"]
    assert Variant.objects.get(pk=variant.pk).stock == 48
    alert = OutboxMessage.objects.get(kind="staff_security_alert")  # one row for the staff chain
    assert alert.addresses["email"] == ["staff@example.com"] and "Unpaid orders piling up" in alert.payload["subject"]


def test_an_unconfirmed_cash_on_delivery_order_releases_its_stock(api, make_variant, order_body):
    variant = make_variant(stock=10)
    body = api.place({**order_body, "lines": lines((variant, 4))}).json()
    order = Order.objects.get(number=body["number"])
    assert order.status == OrderStatus.AWAITING_OFFLINE_PAYMENT and order.confirmed_at is None
    assert timezone.now() + timedelta(minutes=55) < order.reserved_until < timezone.now() + timedelta(minutes=61)
    request = OutboxMessage.objects.get(kind="order_confirm_request")
    assert request.recipient == "ann@example.com" and "/confirm/" in request.payload["confirm_url"]
    assert "confirm" not in str(body)  # the link goes only to the mailbox, never to whoever placed the order

    assert orders_expire_reservations(now=timezone.now() + timedelta(minutes=61)) == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED and Variant.objects.get(pk=variant.pk).stock == 10


def test_the_email_link_confirms_and_the_order_keeps_its_stock(api, client, make_variant, order_body):
    variant = make_variant(stock=10)
    api.place({**order_body, "lines": lines((variant, 3))})
    order = Order.objects.get()
    link = OutboxMessage.objects.get(kind="order_confirm_request").payload["confirm_url"].split("://", 1)[1]
    path = "/" + link.split("/", 1)[1]

    assert client.get(path[:-3] + "xyz/").status_code == 404  # a forged signature
    page = Client().get(path)
    assert page.status_code == 200 and "Confirm my order" in page.content.decode()
    order.refresh_from_db()
    assert order.confirmed_at is None  # a mail scanner's GET confirms nothing
    response = Client().post(path)
    assert response["Location"] == order.get_absolute_url()

    order.refresh_from_db()
    assert order.confirmed_at is not None and order.reserved_until is None  # cash on delivery: held until delivery
    assert orders_expire_reservations(now=timezone.now() + timedelta(days=30)) == 0
    assert Variant.objects.get(pk=variant.pk).stock == 7


def test_staff_confirm_an_order_from_the_admin(api, make_variant, order_body, admin_user):
    api.place({**order_body, "payment_method": "bank_transfer", "lines": lines((make_variant(stock=5), 1))})
    order = Order.objects.get()
    client = Client()
    client.force_login(admin_user)
    response = client.post(f"/admin/orders/order/{order.pk}/act/", {"action": "confirm", "note": "phoned"})
    assert response.status_code == 302, response.content[:300]
    order.refresh_from_db()
    assert order.confirmed_at is not None
    assert timezone.now() + timedelta(days=4) < order.reserved_until  # the bank transfer's usual days
    assert order.events.filter(kind="confirmed", actor=f"staff:{admin_user.username}").exists()


def test_staff_are_alerted_about_a_large_reservation(api, make_variant, order_body):
    variants = [make_variant(stock=10, price="5.00") for _ in range(2)]
    api.place({**order_body, "lines": lines((variants[0], 5), (variants[1], 4))})
    alert = OutboxMessage.objects.get(kind="staff_security_alert")
    assert "Large reservation" in alert.payload["subject"] and "9 units" in alert.payload["text"]


def test_the_html_checkout_and_the_api_share_one_order_budget_per_address(api, client, make_variant, order_body,
                                                                          settings):
    from steadfast.checkout.tests.walk import add_to_cart, place, walk_to_review

    settings.RATELIMIT_PLACE_ORDER = "2/h"
    settings.ORDER_MAX_OPEN_UNPAID = 100
    variant = make_variant(stock=50)
    assert api.place({**order_body, "lines": lines((variant, 1))}).status_code == 201
    assert api.place({**order_body, "lines": lines((variant, 1))}).status_code == 201
    add_to_cart(client, variant)
    assert place(client, walk_to_review(client)).status_code == 429  # the same address, through the HTML checkout
