"""The product page in a real browser: picking a variant shows its price and stock, and Add to cart works."""

from decimal import Decimal

from steadfast.catalog.models import Category, Product, Variant


def test_variant_choice_updates_price_and_adds_to_cart(page, transactional_db, settings):
    settings.SHOP_LOW_STOCK = 3
    category = Category.objects.create(name="Jackets", slug="jackets")
    jacket = Product.objects.create(category=category, name="Rain Jacket", slug="rain-jacket")
    Variant.objects.create(product=jacket, sku="RJ-S", options={"size": "S"}, price=Decimal("89.00"), stock=10)
    Variant.objects.create(product=jacket, sku="RJ-XL", options={"size": "XL"}, price=Decimal("99.00"), stock=2)
    jacket.refresh_summary()

    page.goto("/p/rain-jacket/")
    assert page.locator("[data-price-display]").inner_text() == "€89.00"
    page.get_by_role("radio", name="XL").check()
    assert page.locator("[data-price-display]").inner_text() == "€99.00"
    assert page.locator("[data-stock-display]").inner_text() == "Only 2 left"
    page.get_by_role("button", name="Add to cart").click()
    page.wait_for_url("**/cart/")
    assert "Rain Jacket" in page.content()
    assert page.locator(".cart-count").inner_text() == "1"
