"""The whole shop in a real browser: a guest buys with cash on delivery, staff marks the order paid."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from steadfast.catalog.models import Category, Product, Variant
from steadfast.orders.models import Order, OrderStatus
from steadfast.storefront.tests.browser import guest_checkout

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalog():
    clothing = Category.objects.create(name="Clothing", slug="clothing")
    shirts = Category.objects.create(name="T-shirts", slug="t-shirts", parent=clothing)
    product = Product.objects.create(
        category=shirts, name="Harbour Tee", slug="harbour-tee", description="Soft cotton."
    )
    for n, size in enumerate(("S", "M", "L")):
        Variant.objects.create(
            product=product,
            sku=f"HT-{size}",
            options={"size": size},
            price=Decimal("24.00"),
            stock=0 if size == "S" else 5,
            position=n,
        )
    product.refresh_summary()
    return product


def test_guest_buys_with_cash_on_delivery_and_staff_marks_it_paid(page, live_server, catalog, tmp_path):
    page.goto("/c/clothing/")
    page.get_by_role("link", name="Harbour Tee").first.click()
    assert page.get_by_role("heading", name="Harbour Tee").is_visible()

    assert page.get_by_role("radio", name=re.compile(r"^S\b")).is_disabled()  # out of stock size cannot be picked
    page.get_by_role("radio", name=re.compile(r"^M\b")).check(force=True)
    page.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name=re.compile("Add to cart")).click()

    page.goto("/cart/")
    assert page.get_by_text("Harbour Tee").first.is_visible()
    guest_checkout(page, "Cash on delivery")

    assert "€52.90" in page.content()  # 2 × 24.00 + 4.90 courier, prices from the database
    page.screenshot(path=str(tmp_path / "review.png"))
    page.get_by_role("button", name=re.compile("Place order")).click()

    page.wait_for_url(re.compile(r"/orders/[\w-]+/$"))
    order = Order.objects.get()
    assert order.number in page.content()
    assert page.get_by_text("Awaiting offline payment").first.is_visible()
    assert order.status == OrderStatus.AWAITING_OFFLINE_PAYMENT and order.total == Decimal("52.90")
    assert Variant.objects.get(sku="HT-M").stock == 3

    User.objects.create_superuser("staff", "staff@example.com", "Staff-Pass-2026")
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("staff")
    page.get_by_label("Password").fill("Staff-Pass-2026")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"/admin/orders/order/{order.pk}/change/")
    page.get_by_role("button", name=re.compile("Mark paid", re.I)).first.click()
    page.wait_for_load_state()

    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and order.paid_at is not None
    assert order.events.filter(actor="staff:staff", to_status=OrderStatus.PAID).exists()
    page.goto(order.get_absolute_url())
    assert page.get_by_text("Paid").first.is_visible()
