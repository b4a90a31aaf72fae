"""Emergency-method orders (no carrier was reachable at checkout) are shipped by hand: staff see them, enter the
carrier and tracking number once, and the customer gets the tracking message in the same transaction."""

from dataclasses import replace

import pytest

from steadfast.checkout.services import order_place
from steadfast.notify.models import OutboxMessage
from steadfast.orders.models import OrderStatus
from steadfast.shipping.models import Shipment


@pytest.fixture
def emergency_order(shop_defaults, emergency_method, make_variant, details):
    variant = make_variant(stock=3, price="19.90")
    order, _ = order_place(lines=[(variant.pk, 1)], idempotency_key="by-hand-1",
                           details=replace(details, delivery_method="standard", payment_method="cash_on_delivery"))
    assert order.status == OrderStatus.AWAITING_OFFLINE_PAYMENT and order.delivery_total == 15
    return order


def test_staff_see_the_order_to_ship_by_hand_and_the_customer_gets_the_tracking_number(emergency_order,
                                                                                       admin_client):
    listed = admin_client.get("/admin/orders/order/", {"by_hand": "yes"}).context["cl"].result_list
    page = admin_client.get(f"/admin/orders/order/{emergency_order.pk}/change/").content.decode()
    assert [o.number for o in listed] == [emergency_order.number]
    assert "Ship by hand: no carrier took this order at checkout." in page
    form_url = f"/admin/shipping/shipment/ship-by-hand/{emergency_order.pk}/"
    assert form_url in page and admin_client.get(form_url).status_code == 200

    done = admin_client.post(form_url, {"carrier": "Poczta Polska", "tracking_number": "PX123456789PL",
                                        "tracking_url": "https://emonitoring.poczta-polska.pl/?numer=PX123456789PL"})

    assert done.status_code == 302
    emergency_order.refresh_from_db()
    assert emergency_order.status == OrderStatus.FULFILLED
    shipment = Shipment.objects.get(order=emergency_order)
    assert (shipment.provider, shipment.carrier_name, shipment.tracking_number) == (None, "Poczta Polska",
                                                                                     "PX123456789PL")
    shipped = OutboxMessage.objects.filter(order=emergency_order, kind="order_shipped")
    assert [m.payload["tracking_number"] for m in shipped] == ["PX123456789PL"]
    assert shipped[0].payload["tracking_url"].endswith("PX123456789PL")
    assert not admin_client.get("/admin/orders/order/", {"by_hand": "yes"}).context["cl"].result_list

    again = admin_client.post(form_url, {"carrier": "DHL", "tracking_number": "JD000"})
    assert "already has a shipment" in again.content.decode()
    assert Shipment.objects.filter(order=emergency_order).count() == 1 and shipped.count() == 1


def test_a_missing_tracking_number_is_explained_and_changes_nothing(emergency_order, admin_client):
    form_url = f"/admin/shipping/shipment/ship-by-hand/{emergency_order.pk}/"

    response = admin_client.post(form_url, {"carrier": "DHL", "tracking_number": "  ", "tracking_url": "ftp://x"})

    assert response.status_code == 200 and "This field is required." in response.content.decode()
    emergency_order.refresh_from_db()
    assert emergency_order.status == OrderStatus.AWAITING_OFFLINE_PAYMENT
    assert not Shipment.objects.exists()
    assert not OutboxMessage.objects.filter(kind="order_shipped").exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_ship_an_emergency_order_by_hand_in_the_browser(page, emergency_order, django_user_model):
    import os
    import re

    django_user_model.objects.create_superuser("boss", "boss@example.com", "boss-pass-123")
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", "boss-pass-123")
    page.click("input[type=submit]")
    page.wait_for_url(lambda url: "/admin/login" not in url)
    shots = os.environ.get("STEADFAST_SHOTS_DIR", "")

    page.goto(f"/admin/orders/order/{emergency_order.pk}/change/")
    if shots:
        page.screenshot(path=f"{shots}/order-ship-by-hand.png", full_page=True)
    page.get_by_role("link", name="Enter carrier and tracking number").click()
    page.get_by_label("Carrier").fill("Poczta Polska")
    page.get_by_label("Tracking number").fill("PX123456789PL")
    if shots:
        page.screenshot(path=f"{shots}/ship-by-hand-form.png", full_page=True)
    page.get_by_role("button", name="Mark shipped and tell the customer").click()

    page.wait_for_url(re.compile(rf"/admin/orders/order/{emergency_order.pk}/change/$"))
    assert f"Order {emergency_order.number} is shipped; the customer gets the tracking number." in page.content()
    assert "Poczta Polska · Created · PX123456789PL" in page.locator(".field-shipment_summary").inner_text()
    assert OutboxMessage.objects.get(kind="order_shipped").payload["tracking_number"] == "PX123456789PL"
