import dataclasses
from decimal import Decimal

import pytest
from django.urls import reverse

from steadfast.catalog.models import Variant
from steadfast.checkout.services import order_place
from steadfast.orders.models import Order, OrderEvent, OrderStatus

LIST = reverse("admin:orders_order_changelist")


@pytest.fixture
def place(make_variant, details):
    counter = {"n": 0}

    def place_order(variant=None, quantity=1, **changes):
        counter["n"] += 1
        variant = variant or make_variant(stock=10, price="25.00")
        order, _ = order_place(lines=[(variant.pk, quantity)], details=dataclasses.replace(details, **changes),
                               idempotency_key=f"admin-{counter['n']}")
        return order

    return place_order


def act(client, order, action, note="", confirmed=True):
    """Press an action's button; cancel and refund are then confirmed on their own page (`confirmed`)."""
    url = reverse("admin:orders_order_act", args=[order.pk])
    return client.post(url, {"action": action, "note": note, "confirmed": "on" if confirmed else ""}, follow=True)


def bulk(client, orders, action):
    data = {"action": action, "_selected_action": [o.pk for o in orders], "index": 0}
    return client.post(LIST, data, follow=True)


def texts(response):
    return [str(m) for m in response.context["messages"]]


@pytest.mark.django_db
def test_order_list_shows_the_columns_staff_work_with(admin_client, place):
    order = place(full_name="Zofia Kowalska", email="zofia@example.com")
    response = admin_client.get(LIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert order.number in html and "Zofia Kowalska" in html and "zofia@example.com" in html
    assert "sf-status-awaiting_offline_payment" in html and "Awaiting offline payment" in html
    assert "Cash on delivery" in html
    assert "€29.90" in html  # 25.00 + 4.90 courier, through the money filter


@pytest.mark.django_db
@pytest.mark.parametrize("term", ["SF-", "bob@example.com", "+48 511 222 333", "511222333", "Bob Builder"])
def test_search_finds_the_order_by_number_email_phone_or_name(admin_client, place, term):
    wanted = place(email="bob@example.com", phone="+48 511-222-333", full_name="Bob Builder")
    other = place()
    term = wanted.number if term == "SF-" else term
    response = admin_client.get(LIST, {"q": term})
    found = list(response.context["cl"].result_list)
    assert found == [wanted], (term, found)
    assert other not in found


@pytest.mark.django_db
def test_phone_digits_search_still_respects_list_filters(admin_client, place):
    order = place(phone="+48 511 222 333")
    response = admin_client.get(LIST, {"q": "511222333", "status__exact": OrderStatus.PAID})
    assert list(response.context["cl"].result_list) == []
    response = admin_client.get(LIST, {"q": "511222333", "status__exact": order.status})
    assert list(response.context["cl"].result_list) == [order]


@pytest.mark.django_db
def test_filters_by_status_payment_delivery_and_needs_action(admin_client, place):
    cod = place()
    transfer = place(payment_method="bank_transfer")
    pickup = place(delivery_method="pickup", payment_method="bank_transfer", address_line1="", city="", postcode="")

    def listed(**params):
        return set(admin_client.get(LIST, params).context["cl"].result_list)

    assert listed(payment_method="bank_transfer") == {transfer, pickup}
    assert listed(delivery_method="pickup") == {pickup}
    assert listed(status__exact=OrderStatus.AWAITING_OFFLINE_PAYMENT) == {cod, transfer, pickup}
    assert listed(todo="ship") == {cod}  # cash on delivery ships before it is paid
    assert listed(todo="unpaid") == {transfer, pickup}
    filters_html = admin_client.get(LIST).content.decode()
    assert "Bank transfer" in filters_html and "Pick up in the shop" in filters_html


@pytest.mark.django_db
def test_order_page_shows_lines_timeline_payments_and_messages_read_only(admin_client, place):
    order = place(quantity=2)
    response = admin_client.get(reverse("admin:orders_order_change", args=[order.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    line = order.lines.get()
    assert line.product_name in html and line.sku in html and "€50.00" in html
    assert "Order placed." in html  # timeline
    assert "order_confirmation" in html  # outbox message inline
    assert "Cash on delivery" in html  # payment inline
    # Nothing on the page is an input staff could use to change prices or customer details.
    for name in ("total", "subtotal", "email", "phone", "full_name", "status", "lines-0-unit_price"):
        assert f'name="{name}"' not in html
    assert 'name="_save"' not in html
    assert "Mark shipped" in html and "Cancel and release stock" in html and "Mark refunded" not in html


@pytest.mark.django_db
def test_posting_the_change_form_cannot_change_the_price(admin_client, place):
    order = place()
    url = reverse("admin:orders_order_change", args=[order.pk])
    admin_client.post(url, {"total": "0.01", "email": "x@example.com"})
    order.refresh_from_db()
    assert order.total == Decimal("29.90") and order.email == "ann@example.com"


@pytest.mark.django_db
def test_order_page_actions_move_the_order_and_record_who_and_why(admin_client, place):
    order = place()
    response = act(admin_client, order, "fulfil", note="DPD 0123456789")
    assert any(order.number in text and "shipped" in text for text in texts(response))
    order.refresh_from_db()
    assert order.status == OrderStatus.FULFILLED
    event = order.events.last()
    assert (event.actor, event.from_status, event.to_status, event.message) == (
        "staff:admin", OrderStatus.AWAITING_OFFLINE_PAYMENT, OrderStatus.FULFILLED, "DPD 0123456789")

    act(admin_client, order, "mark_paid")
    act(admin_client, order, "deliver")
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED and order.paid_at is not None
    assert order.events.filter(kind="payment_received", actor="staff:admin").exists()
    page = admin_client.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()
    assert "DPD 0123456789" in page and "staff:admin" in page


@pytest.mark.django_db
def test_bulk_actions_change_every_selected_order(admin_client, place):
    first, second = place(payment_method="bank_transfer"), place(payment_method="bank_transfer")
    response = bulk(admin_client, [first, second], "bulk_mark_paid")
    assert any(first.number in t and second.number in t for t in texts(response))
    for order in (first, second):
        order.refresh_from_db()
        assert order.status == OrderStatus.PAID and order.paid_at is not None
        assert order.events.filter(to_status=OrderStatus.PAID, actor="staff:admin").count() == 1


@pytest.mark.django_db
def test_cancel_returns_the_stock(admin_client, place, make_variant):
    variant = make_variant(stock=5)
    order = place(variant=variant, quantity=3)
    assert Variant.objects.get(pk=variant.pk).stock == 2
    act(admin_client, order, "cancel", note="Customer phoned to cancel")
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert Variant.objects.get(pk=variant.pk).stock == 5
    assert order.events.filter(to_status=OrderStatus.CANCELLED, actor="staff:admin",
                               message="Customer phoned to cancel").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["cancel", "refund"])
def test_cancel_and_refund_ask_again_and_change_nothing_until_confirmed(admin_client, place, make_variant, action):
    variant = make_variant(stock=5)
    order = place(variant=variant, quantity=2, payment_method="bank_transfer")
    if action == "refund":
        act(admin_client, order, "mark_paid")
    status = Order.objects.get(pk=order.pk).status
    events = order.events.count()

    response = act(admin_client, order, action, note="Customer asked", confirmed=False)
    page = response.content.decode()
    assert "This cannot be undone." in page and order.number in page and 'value="Customer asked"' in page
    assert 'name="confirmed" value="on"' in page
    order.refresh_from_db()
    assert order.status == status and order.events.count() == events
    assert Variant.objects.get(pk=variant.pk).stock == 3

    act(admin_client, order, action, note="Customer asked")
    order.refresh_from_db()
    assert order.status == (OrderStatus.CANCELLED if action == "cancel" else OrderStatus.REFUNDED)
    assert order.events.last().message == "Customer asked"


@pytest.mark.django_db
def test_order_page_groups_the_next_steps_apart_from_cancel_and_refund(admin_client, place):
    order = place()
    page = admin_client.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()
    forward, danger = page.index("Move the order along"), page.index("Stop or undo")
    assert forward < page.index('value="mark_paid"') < page.index('value="fulfil"') < danger
    assert danger < page.index('value="cancel"') and 'class="button sf-danger sf-big">Cancel and release stock' in page
    # Payment link, while the order may still be paid: as big as the other main actions.
    assert 'class="button default sf-big">Create payment link' in page


@pytest.mark.django_db
def test_disallowed_action_shows_an_error_naming_the_order_and_changes_nothing(admin_client, place, make_variant):
    variant = make_variant(stock=5)
    order = place(variant=variant, quantity=2)
    act(admin_client, order, "cancel")
    events_before = OrderEvent.objects.filter(order=order).count()

    response = act(admin_client, order, "fulfil", note="should not be recorded")
    errors = [m for m in response.context["messages"] if m.level_tag == "error"]
    assert len(errors) == 1 and order.number in str(errors[0]) and "cannot become Shipped" in str(errors[0])
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert OrderEvent.objects.filter(order=order).count() == events_before
    assert Variant.objects.get(pk=variant.pk).stock == 5

    # The same through the bulk action: the allowed order moves, the other is reported and left alone.
    other = place()
    response = bulk(admin_client, [order, other], "bulk_fulfil")
    assert any(order.number in t and "not changed" in t for t in texts(response))
    order.refresh_from_db()
    other.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED and other.status == OrderStatus.FULFILLED


@pytest.mark.django_db
def test_note_that_is_too_long_is_rejected(admin_client, place):
    order = place()
    response = act(admin_client, order, "fulfil", note="x" * 1001)
    assert any("not changed" in t for t in texts(response))
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_OFFLINE_PAYMENT


@pytest.mark.django_db
def test_orders_cannot_be_added_or_deleted_in_the_admin(admin_client, place):
    order = place()
    assert admin_client.get(reverse("admin:orders_order_add")).status_code == 403
    assert admin_client.post(reverse("admin:orders_order_delete", args=[order.pk]), {"post": "yes"}).status_code == 403
    assert Order.objects.filter(pk=order.pk).exists()


@pytest.mark.django_db
def test_non_staff_are_sent_to_the_admin_login(client, django_user_model, place):
    order = place()
    django_user_model.objects.create_user("shopper", "shopper@example.com", "pw-12345-long")
    client.login(username="shopper", password="pw-12345-long")
    for url in (LIST, reverse("admin:index"), reverse("admin:orders_order_change", args=[order.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    response = client.post(reverse("admin:orders_order_act", args=[order.pk]), {"action": "cancel"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_OFFLINE_PAYMENT
