"""Staff record a phone order in the admin: the same order-first checkout, then a payment link or offline payment."""

import uuid
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from steadfast.notify.models import OutboxMessage
from steadfast.orders.models import Order, OrderStatus
from steadfast.payments.models import Payment, PaymentLink
from steadfast.providers.models import Provider
from steadfast.status.services import shop_mode_set

URL = reverse("admin:orders_order_phone")
pytestmark = pytest.mark.django_db


@pytest.fixture
def card(db):
    return Provider.objects.create(kind="payment", code="phone-card", adapter="stripe", name="Card (Stripe)",
                                   priority=1, config={"api_base": "http://127.0.0.1:9/"})


@pytest.fixture
def stock(make_variant):
    return {"tee": make_variant(stock=5, price="20.00", name="Organic Tee", options={"size": "M"}),
            "mug": make_variant(stock=2, price="9.50", name="Camp Mug")}


def order_form(variants, payment="link", **changes):
    data = {
        "idempotency_key": str(uuid.uuid4()), "full_name": "Jan Kowalski", "email": "Jan@Example.com",
        "phone": "+48 601 200 300", "language": "pl", "delivery_method": "courier",
        "address_line1": "ul. Polna 3", "address_line2": "", "postcode": "00-001", "city": "Warszawa",
        "country": "PL", "payment": payment, "note": "Call before delivery",
        "lines-TOTAL_FORMS": "6", "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "6",
    }
    for index, (variant, quantity) in enumerate(variants):
        data[f"lines-{index}-variant"] = str(variant.pk)
        data[f"lines-{index}-quantity"] = str(quantity)
    data.update(changes)
    return data


def test_phone_order_with_a_payment_link_in_phone_orders_mode(admin_client, client, card, stock):
    shop_mode_set("phone_orders", None, "card gateway out")
    page = admin_client.get(URL).content.decode()
    assert "Organic Tee — M" in page and "Camp Mug" in page and "Payment link" in page
    assert "Take a phone order" in admin_client.get(reverse("admin:index")).content.decode()

    response = admin_client.post(URL, order_form([(stock["tee"], 2), (stock["mug"], 1)]), follow=True)

    order = Order.objects.get()
    assert response.redirect_chain[-1][0] == reverse("admin:orders_order_change", args=[order.pk])
    assert order.status == OrderStatus.PENDING_PAYMENT and order.payment_method == "phone-card"
    assert (order.email, order.language, order.city) == ("jan@example.com", "pl", "Warszawa")
    assert order.total == Decimal("49.50") + order.delivery_total
    assert sorted(order.lines.values_list("product_name", "quantity")) == [("Camp Mug", 1), ("Organic Tee", 2)]
    stock["tee"].refresh_from_db()
    stock["mug"].refresh_from_db()
    assert (stock["tee"].stock, stock["mug"].stock) == (3, 1)  # reserved at once
    assert order.events.filter(kind="phone_order", actor="staff:admin").exists()
    assert OutboxMessage.objects.filter(kind="order_confirmation", order=order).count() == 1
    link = PaymentLink.objects.get(order=order)
    assert link.get_absolute_url() in response.content.decode()  # staff see the link to send
    assert client.get(link.get_absolute_url()).status_code == 200  # the customer can open it, mode or not


def test_phone_order_with_an_offline_method(admin_client, stock):
    admin_client.post(URL, order_form([(stock["tee"], 1)], payment="bank_transfer"))
    order = Order.objects.get()
    assert order.status == OrderStatus.AWAITING_OFFLINE_PAYMENT and order.payment_method == "bank_transfer"
    assert Payment.objects.filter(order=order).count() == 1
    assert not PaymentLink.objects.exists()


def test_pickup_needs_no_address_and_keeps_none(admin_client, stock):
    form = order_form([(stock["mug"], 1)], payment="pay_at_pickup", delivery_method="pickup", address_line1="",
                      postcode="", city="")
    response = admin_client.post(URL, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Order.objects.get().address_line1 == ""


@pytest.mark.parametrize("changes, message", [
    ({"address_line1": "", "city": ""}, "Needed for Courier."),
    ({"email": "not-an-email"}, "Enter a valid email address."),
    ({"payment": "pay_at_pickup"}, "only possible when you collect the order"),
])
def test_bad_input_says_what_is_wrong_and_places_nothing(admin_client, card, stock, changes, message):
    response = admin_client.post(URL, order_form([(stock["tee"], 1)], **changes))
    assert response.status_code == 200 and message in response.content.decode()
    assert not Order.objects.exists()
    stock["tee"].refresh_from_db()
    assert stock["tee"].stock == 5


def test_no_products_and_too_many_are_refused(admin_client, stock):
    empty = admin_client.post(URL, order_form([], payment="bank_transfer"))
    assert "Choose at least one product." in empty.content.decode()
    too_many = admin_client.post(URL, order_form([(stock["mug"], 3)], payment="bank_transfer"))
    assert "not enough stock" in too_many.content.decode()
    assert not Order.objects.exists()
    stock["mug"].refresh_from_db()
    assert stock["mug"].stock == 2


def test_submitting_twice_places_one_order(admin_client, card, stock):
    form = order_form([(stock["tee"], 1)])
    admin_client.post(URL, form)
    admin_client.post(URL, form)
    assert Order.objects.count() == 1
    stock["tee"].refresh_from_db()
    assert stock["tee"].stock == 4


def test_staff_without_order_change_permission_cannot_take_orders(client, django_user_model, stock):
    clerk = django_user_model.objects.create_user("clerk", password="pw-12345-long", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_order"))
    client.force_login(clerk)
    assert client.get(URL).status_code == 403
    assert client.post(URL, order_form([(stock["tee"], 1)], payment="bank_transfer")).status_code == 403
    assert not Order.objects.exists()
    assert "Take a phone order" not in client.get(reverse("admin:orders_order_changelist")).content.decode()
