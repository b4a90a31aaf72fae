import dataclasses
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from steadfast.checkout.services import order_place
from steadfast.orders.dashboard import dashboard_figures
from steadfast.orders.models import Order, OrderStatus
from steadfast.orders.services import SYSTEM, order_cancel, order_fulfil, order_mark_paid

INDEX = reverse("admin:index")


@pytest.fixture
def place(make_variant, details):
    counter = {"n": 0}

    def place_order(price="25.00", quantity=1, stock=10, **changes):
        counter["n"] += 1
        variant = make_variant(stock=stock, price=price)
        order, _ = order_place(lines=[(variant.pk, quantity)], details=dataclasses.replace(details, **changes),
                               idempotency_key=f"dash-{counter['n']}")
        return order

    return place_order


def between(html, start_marker, end_marker="</span>"):
    start = html.index(start_marker) + len(start_marker)
    return html[start:html.index(end_marker, start)].strip()


@pytest.mark.django_db
def test_dashboard_shows_todays_orders_revenue_and_work_queues(admin_client, place, settings):
    settings.SHOP_LOW_STOCK = 3
    cod = place(price="120.00")  # free delivery over 100: total 120.00, COD -> to ship
    transfer = place(price="10.00", payment_method="bank_transfer")  # 14.90, unpaid until the money arrives
    paid = place(price="20.00", payment_method="bank_transfer")  # 24.90, paid -> to ship
    order_mark_paid(paid, SYSTEM)
    cancelled = place(price="50.00")  # not revenue
    order_cancel(cancelled, SYSTEM)
    yesterday = place(price="30.00")
    Order.objects.filter(pk=yesterday.pk).update(created_at=timezone.now() - timedelta(days=1))
    place(price="5.00", stock=2)  # leaves one unit: low stock
    card = place(price="70.00")  # stands for an online payment the customer has not finished: not counted
    Order.objects.filter(pk=card.pk).update(status=OrderStatus.PENDING_PAYMENT)

    html = admin_client.get(INDEX).content.decode()
    assert between(html, 'id="sf-today-orders">') == "4"  # cod, transfer, paid, the low-stock one
    # ... and the card says what it counts, and what it leaves out.
    assert between(html, 'id="sf-today-orders-note">') == (
        "Paid, or to be paid by transfer or on delivery; 1 more with an unfinished online payment")
    assert between(html, 'id="sf-today-paid">') == "€24.90"  # only the transfer that arrived
    assert between(html, 'id="sf-today-expected">') == "€144.80"  # 120 + 14.90 + 9.90: transfer and COD to come
    assert between(html, 'id="sf-to-ship">') == "4"  # cod, paid, yesterday (COD) and the low-stock one (COD)
    assert between(html, 'id="sf-unpaid">') == "1"
    assert between(html, 'id="sf-low-stock">') == "1"
    assert 'href="/admin/orders/order/?todo=unpaid"' in html and 'href="/admin/orders/order/?todo=ship"' in html
    for order in (cod, transfer, paid, cancelled, yesterday):
        assert reverse("admin:orders_order_change", args=[order.pk]) in html  # last orders
    # The app list is still there below the dashboard.
    assert html.index('id="sf-dashboard"') < html.index('class="app-catalog')
    assert f"{settings.SHOP_NAME} <span" in html  # branding


@pytest.mark.django_db
def test_dashboard_links_lead_to_the_matching_orders(admin_client, place):
    place()
    transfer = place(payment_method="bank_transfer")
    unpaid_list = admin_client.get(reverse("admin:orders_order_changelist"), {"todo": "unpaid"})
    assert list(unpaid_list.context["cl"].result_list) == [transfer]


@pytest.mark.django_db
def test_low_stock_lists_the_variant_with_a_link_to_its_product(admin_client, make_variant, settings):
    settings.SHOP_LOW_STOCK = 2
    low = make_variant(stock=1, name="Wool socks")
    make_variant(stock=9, name="Rain jacket")
    html = admin_client.get(INDEX).content.decode()
    panel = html[html.index('id="sf-low-stock-list"'):]
    assert "Wool socks" in panel and reverse("admin:catalog_product_change", args=[low.product_id]) in panel
    assert "Rain jacket" not in panel


@pytest.mark.django_db
def test_revenue_sums_decimals_exactly(place):
    for _ in range(3):
        place(price="0.10", delivery_method="pickup", payment_method="pay_at_pickup", address_line1="", city="",
              postcode="")
    figures = dashboard_figures()
    assert figures.today_revenue.amount == Decimal("0.30") and figures.today_revenue.currency == "EUR"
    assert figures.today_expected.amount == Decimal("0.30") and figures.today_paid.amount == Decimal("0.00")


@pytest.mark.django_db
def test_fulfilled_cod_orders_leave_the_to_ship_queue(place):
    order = place()
    assert dashboard_figures().to_ship == 1
    order_fulfil(order, SYSTEM)
    assert dashboard_figures().to_ship == 0


@pytest.mark.django_db
def test_dashboard_query_count_does_not_grow_with_orders(place, settings):
    settings.SHOP_LOW_STOCK = 100
    place()

    def queries():
        with CaptureQueriesContext(connection) as captured:
            dashboard_figures()
        return len(captured)

    few = queries()
    for _ in range(6):
        place()
    assert queries() == few <= 3


@pytest.mark.django_db
def test_staff_without_order_permission_sees_no_figures(client, django_user_model, place):
    order = place()
    user = django_user_model.objects.create_user("clerk", password="pw-12345-long", is_staff=True)
    client.force_login(user)
    html = client.get(INDEX).content.decode()
    assert 'id="sf-dashboard"' not in html
    assert order.number not in html


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_dashboard_cards_in_a_browser(page, place, django_user_model, settings):
    from pathlib import Path

    django_user_model.objects.create_superuser("boss", "boss@example.com", "Boss-pass-123456")
    place(price="120.00")
    order_mark_paid(place(price="20.00", payment_method="bank_transfer"), SYSTEM)
    page.goto(INDEX)
    page.get_by_label("Username").fill("boss")
    page.get_by_label("Password").fill("Boss-pass-123456")
    page.get_by_role("button", name="Log in").click()
    assert page.locator("#sf-today-paid").inner_text() == "€24.90"
    assert page.locator("#sf-today-expected").inner_text() == "€120.00"
    shots = Path(settings.BASE_DIR) / "var" / "shots"
    shots.mkdir(parents=True, exist_ok=True)
    page.locator("#sf-dashboard").screenshot(path=shots / "admin-dashboard-figures.png")
