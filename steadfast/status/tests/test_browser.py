"""What a shopper sees in Chromium: banner with QR codes, catalog-only, maintenance, an automatic incident."""

import pytest

from steadfast.status.incidents import incidents_sync
from steadfast.status.models import Banner
from steadfast.status.services import shop_mode_set

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_banner_with_qr_codes_on_every_page_and_dismiss(page, make_variant):
    product_url = make_variant(stock=3, name="Plain mug").product.get_absolute_url()
    Banner.objects.create(
        message="<p>Card payments are down. <script>window.pwned=1</script><b>Pay on delivery.</b></p>",
        phone="+48 22 100 20 30",
        telegram="https://t.me/steadfast_shop",
    )
    page.goto(product_url)
    page.get_by_role("button", name="Add to cart").click()
    for url in ("/", product_url, "/cart/", "/checkout/"):
        page.goto(url)
        banner = page.locator("#status-banner")
        assert "Card payments are down. Pay on delivery." in banner.inner_text()
        assert banner.locator(".qr svg").count() == 2  # the two contacts staff gave: phone and Telegram
    assert page.evaluate("window.pwned") is None
    page.get_by_role("button", name="Dismiss").click()
    page.wait_for_url("**/checkout/")
    assert page.locator("#status-banner").count() == 0
    page.goto("/")
    assert page.locator("#status-banner").count() == 0


def test_catalog_only_blocks_checkout_and_keeps_browsing(page):
    shop_mode_set("catalog_only", None, "inventory", message="Yearly stock count today.")
    assert page.goto("/").status == 200
    response = page.goto("/checkout/")
    assert response.status == 503
    assert "Online ordering is paused" in page.locator("#ordering-closed").inner_text()
    assert "Yearly stock count today." in page.content()


def test_maintenance_503_and_staff_bypass(page, django_user_model):
    django_user_model.objects.create_user("boss", "b@example.com", "boss-pass-123", is_staff=True)
    shop_mode_set("maintenance", None, "upgrade")
    response = page.goto("/")
    assert response.status == 503 and int(response.headers["retry-after"]) > 0
    assert "right back" in page.locator("h1").inner_text()
    page.goto("/admin/login/?next=/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", "boss-pass-123")
    page.click("input[type=submit]")
    page.wait_for_url(lambda url: "/admin/login" not in url)
    assert page.goto("/").status == 200


def test_automatic_incident_visible_on_status_page(page, card, break_provider, recover_provider, settings):
    settings.INCIDENT_AFTER_SECONDS = 0
    break_provider(card)
    incidents_sync()
    page.goto("/status/")
    assert "Card payments is unavailable" in page.locator(".incident").first.inner_text()
    assert "Major outage" in page.locator(f"#component-payment-{card.code}").inner_text()
    recover_provider(card)
    incidents_sync()
    page.reload()  # the page is cacheable for 30 s; a reload revalidates it (ETag)
    assert "works again" in page.locator(".incident").first.inner_text()
