"""The order page in Chromium: the next steps as buttons, the dangerous ones apart and asked twice.
(docs/screenshots/admin-order.png was taken by this test.)"""


import pytest

from steadfast.catalog.models import Variant
from steadfast.orders.models import OrderStatus
from steadfast.testing import admin_browser_login, browser_screenshot

pytestmark = pytest.mark.browser


def test_staff_cancel_an_order_only_after_confirming_it(page, django_user_model, make_variant, details, tmp_path):
    from steadfast.checkout.services import order_place

    variant = make_variant(stock=5, price="25.00", name="Linen shirt")
    order, _ = order_place(lines=[(variant.pk, 2)], details=details, idempotency_key="browser-actions-1")
    admin_browser_login(page, django_user_model)
    page.goto(f"/admin/orders/order/{order.pk}/change/")
    browser_screenshot(page, tmp_path, "admin-order.png")
    panel = page.locator("form.sf-actions").first
    forward = panel.locator("[role=group]", has_text="Move the order along")
    danger = panel.locator("[role=group].sf-actions-danger")
    assert forward.locator("button").all_inner_texts() == ["Mark paid", "Mark shipped"]
    assert danger.locator("button.sf-danger").all_inner_texts() == ["Cancel and release stock…"]

    page.fill("#id_note", "Customer phoned to cancel")
    danger.locator("button").click()
    question = page.locator(".sf-confirm-question").inner_text()
    assert question == "Cancel this order and put its items back in stock? This cannot be undone."
    assert "2 × Linen shirt" in " ".join(page.locator(".sf-confirm-lines").inner_text().split())
    browser_screenshot(page, tmp_path, "admin-order-confirm-cancel.png")
    page.click("text=No, go back to the order")  # second thoughts: nothing happened
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_OFFLINE_PAYMENT and Variant.objects.get(pk=variant.pk).stock == 3

    page.fill("#id_note", "Customer phoned to cancel")
    page.locator("[role=group].sf-actions-danger button").click()
    page.click("text=Yes, cancel the order")
    assert f"Cancelled, stock released: {order.number}." in page.locator(".messagelist").inner_text()
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED and Variant.objects.get(pk=variant.pk).stock == 5
    assert order.events.get(to_status=OrderStatus.CANCELLED).message == "Customer phoned to cancel"
    assert page.locator("form.sf-actions button[name=action]").count() == 0  # nothing more can happen to it


def test_payment_link_is_a_big_button_and_copies_the_link(page, django_user_model, make_variant, details, tmp_path):
    from steadfast.checkout.services import order_place

    order, _ = order_place(lines=[(make_variant(stock=5).pk, 1)], details=details, idempotency_key="browser-link-1")
    admin_browser_login(page, django_user_model)
    page.goto(f"/admin/orders/order/{order.pk}/change/")
    box = page.locator("#payment-link")
    create = box.get_by_role("button", name="Create payment link")
    assert "sf-big" in create.get_attribute("class")
    height = create.bounding_box()["height"]
    assert abs(height - page.get_by_role("button", name="Mark paid").bounding_box()["height"]) < 1
    create.click()
    copy = box.get_by_role("button", name="Copy link")
    replace = box.get_by_role("button", name="Replace with a new link")
    assert replace.bounding_box()["height"] < copy.bounding_box()["height"]  # the second choice is the smaller one
    browser_screenshot(page, tmp_path, "admin-order-payment-link.png")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    copy.click()
    box.get_by_role("button", name="Copied").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "/pay/" in copied and copied == box.get_by_role("textbox", name="Payment link").input_value()

    send = box.get_by_role("button", name="Send the payment link to the customer")
    assert "sf-big" in send.get_attribute("class")
    send.click()  # submits the separate form the button names (forms cannot nest)
    page.get_by_text(f"The payment link for order {order.number} is on its way").wait_for()
    from steadfast.notify.models import OutboxMessage

    assert OutboxMessage.objects.filter(order=order, kind="payment_link").count() == 1
