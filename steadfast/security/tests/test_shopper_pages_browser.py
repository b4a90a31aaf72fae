"""What a shopper sees of the abuse guards, in Chromium: confirming an order, a locked login, sign-up by e-mail."""

import re
from pathlib import Path

import pytest

from steadfast.notify.models import OutboxMessage
from steadfast.orders.models import Order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/steadfast-i10-shots")


@pytest.fixture(autouse=True)
def shots():
    SHOTS.mkdir(exist_ok=True)


def test_a_guest_confirms_a_cash_on_delivery_order_from_the_email_link(page, settings, make_variant):
    settings.OFFLINE_CONFIRM_MINUTES = 60
    variant = make_variant(stock=5, name="Harbour Tee")
    page.goto(variant.product.get_absolute_url())
    page.get_by_role("button", name=re.compile("Add to cart")).click()
    from steadfast.storefront.tests.browser import guest_checkout

    guest_checkout(page, "Cash on delivery")
    page.get_by_role("button", name=re.compile("Place order")).click()
    page.wait_for_url(re.compile(r"/orders/[\w-]+/$"))
    order = Order.objects.get()
    assert order.confirmed_at is None

    url = OutboxMessage.objects.get(kind="order_confirm_request").payload["confirm_url"]
    page.goto("/" + url.split("://", 1)[1].split("/", 1)[1])
    assert page.get_by_role("heading", name=f"Confirm order {order.number}").is_visible()
    page.screenshot(path=str(SHOTS / "order-confirm.png"))
    page.get_by_role("button", name="Confirm my order").click()
    page.wait_for_url(re.compile(r"/orders/[\w-]+/$"))
    assert page.get_by_text("Thank you, your order is confirmed.").is_visible()
    order.refresh_from_db()
    assert order.confirmed_at is not None and order.reserved_until is None


def test_a_locked_login_and_sign_up_by_email(page, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for _ in range(2):
        page.goto("/account/login/")
        page.get_by_label("E-mail").fill("ann@example.com")
        page.get_by_label("Password").fill("wrong")
        page.get_by_role("button", name="Log in").click()
    assert page.get_by_role("heading", name="Too many wrong passwords").is_visible()
    page.screenshot(path=str(SHOTS / "login-locked.png"))

    page.goto("/account/signup/")
    page.get_by_label("E-mail").fill("zoe@example.com")
    page.get_by_label("Password", exact=True).fill("Corrugated-Lantern-42")
    page.get_by_label("Password again").fill("Corrugated-Lantern-42")
    page.get_by_role("button", name="Create account").click()
    assert page.get_by_role("heading", name="Check your e-mail").is_visible()
    assert page.get_by_text("We have sent a message to zoe@example.com.").is_visible()
    page.screenshot(path=str(SHOTS / "signup-sent.png"))
