"""Content-Security-Policy without unsafe-inline: the shop, the admin and the status page still work in Chromium."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from steadfast.catalog.models import Category, Product, Variant
from steadfast.orders.models import Order, OrderStatus
from steadfast.storefront.tests.browser import guest_checkout

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def product():
    category = Category.objects.create(name="Clothing", slug="clothing")
    product = Product.objects.create(category=category, name="Harbour Tee", slug="harbour-tee", description="Soft.")
    for n, size in enumerate(("M", "L")):
        Variant.objects.create(product=product, sku=f"HT-{size}", options={"size": size}, price=Decimal("24.00"),
                               stock=5, position=n)
    product.refresh_summary()
    return product


@pytest.fixture
def violations(page):
    seen = []
    page.on("console", lambda message: seen.append((page.url, message.text[:120]))
            if "Content Security Policy" in message.text else None)
    return seen


def test_pages_work_under_the_policy_with_no_violations(page, violations, product, tmp_path):
    response = page.goto("/")
    policy = response.headers["content-security-policy"]
    assert "unsafe-inline" not in policy and "script-src 'self'" in policy and "style-src 'self'" in policy

    for path in ("/c/clothing/?sort=price_asc", "/no-such-page/", "/status/", "/api/v1/docs"):
        page.goto(path)
    page.goto(product.get_absolute_url())
    page.get_by_role("radio", name=re.compile(r"^L\b")).check(force=True)
    page.get_by_role("button", name=re.compile("Add to cart")).click()
    guest_checkout(page, "Cash on delivery")
    page.get_by_role("button", name=re.compile("Place order")).click()
    page.wait_for_url(re.compile(r"/orders/[\w-]+/$"))
    order = Order.objects.get()

    User.objects.create_superuser("staff", "staff@example.com", "Staff-Pass-2026")
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("staff")
    page.get_by_label("Password").fill("Staff-Pass-2026")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"/admin/orders/order/{order.pk}/change/")
    page.get_by_role("button", name=re.compile("Cancel and release stock")).first.click()
    assert "cannot be undone" in page.locator(".sf-confirm-question").inner_text()  # asked on a page of its own
    page.get_by_role("link", name="No, go back to the order").click()
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_OFFLINE_PAYMENT  # went back: nothing happened
    page.screenshot(path=str(tmp_path / "admin-order.png"), full_page=True)
    for path in ("/admin/", "/admin/catalog/product/", "/admin/providers/provider/health/"):
        page.goto(path)

    assert violations == [], violations
