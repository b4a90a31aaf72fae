"""Catalog-only and phone-orders modes as a shopper meets them in a browser: told on every page before clicking,
and on the product page the button is what works now (call us, partner shops) instead of "Add to cart"."""

from decimal import Decimal

import pytest
from django.utils import translation

from steadfast.catalog.models import Category, Product, Variant
from steadfast.status.models import PartnerShop
from steadfast.status.services import shop_mode_set


@pytest.fixture
def jacket(transactional_db):
    category = Category.objects.create(name="Jackets", slug="jackets")
    product = Product.objects.create(category=category, name="Rain Jacket", slug="rain-jacket")
    Variant.objects.create(product=product, sku="RJ-M", options={"size": "M"}, price=Decimal("89.00"), stock=4)
    product.refresh_summary()
    return product


def test_catalog_only_is_visible_while_browsing_and_the_product_page_offers_call_and_partners(page, jacket, settings):
    settings.SHOP_PHONE = "+48 22 100 20 30"
    PartnerShop.objects.create(name="Trail Outfitters", url="https://partner.example/trail", note="same prices")
    page.goto("/p/rain-jacket/")
    assert page.get_by_role("button", name="Add to cart").count() == 1  # open: nothing changes
    assert page.locator("#mode-notice").count() == 0

    shop_mode_set("catalog_only", None, "stock count", message="Back after the stock count.")
    for path in ("/", "/c/jackets/", "/search/?q=jackets", "/p/rain-jacket/", "/cart/"):
        page.goto(path)
        notice = page.locator("#mode-notice")
        assert notice.is_visible(), f"no mode notice on {path}"
        text = notice.inner_text()
        assert "Online ordering is paused" in text and "+48 22 100 20 30" in text, f"{path}: {text!r}"
        assert "Back after the stock count." in text

    page.goto("/p/rain-jacket/")
    assert page.get_by_role("button", name="Add to cart").count() == 0
    assert page.get_by_label("Quantity").count() == 0
    call = page.get_by_role("link", name="Call +48 22 100 20 30")
    assert call.is_visible() and call.get_attribute("href") == "tel:+48221002030"
    partner = page.get_by_role("link", name="Trail Outfitters")
    assert partner.is_visible() and partner.get_attribute("href") == "https://partner.example/trail"
    assert page.locator("[data-price-display]").inner_text() == "€89.00"  # the catalog still tells the price


def test_phone_orders_says_order_by_phone_and_reopening_brings_the_button_back(page, jacket, settings):
    settings.SHOP_PHONE = "+48 22 100 20 30"
    shop_mode_set("phone_orders", None, "gateway outage")
    page.goto("/p/rain-jacket/")
    assert "We take orders by phone right now." in page.locator("#mode-notice").inner_text()
    assert page.get_by_text("Order this by phone").is_visible()
    assert page.get_by_role("button", name="Add to cart").count() == 0

    shop_mode_set("open", None, "fixed")
    page.goto("/p/rain-jacket/")
    assert page.locator("#mode-notice").count() == 0
    page.get_by_role("button", name="Add to cart").click()
    page.wait_for_url("**/cart/")
    assert page.get_by_role("link", name="Go to checkout").is_visible()


@pytest.mark.parametrize("language, notice, button", [
    ("pl", "Teraz przyjmujemy zamówienia telefonicznie.", "Zamów telefonicznie"),
    ("ru", "Сейчас мы принимаем заказы по телефону.", "Закажите по телефону"),
])
def test_phone_orders_notice_in_the_shoppers_language(client, jacket, settings, language, notice, button):
    settings.SHOP_PHONE = "+48 22 100 20 30"
    shop_mode_set("phone_orders", None, "gateway outage")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    with translation.override(language):  # the middleware activates it in this thread: put the old one back after
        html = client.get("/p/rain-jacket/").content.decode()
    assert notice in html and button in html and 'href="tel:+48221002030"' in html
