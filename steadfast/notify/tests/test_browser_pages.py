"""In Chromium: a customer's channel choices in their account, and the admin's template preview.
(docs/screenshots/account-messages.png and admin-message-preview.png were taken by this test.)"""


import pytest

from steadfast.notify.models import ChannelPreference
from steadfast.testing import browser_screenshot

pytestmark = pytest.mark.browser


def _login(page, path, username, password):
    page.goto(f"/admin/login/?next={path}" if path.startswith("/admin") else f"/account/login/?next={path}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(lambda url: "/login" not in url)


def test_a_customer_chooses_sms_for_orders(page, django_user_model, tmp_path):
    user = django_user_model.objects.create_user("ann@example.com", "ann@example.com", "correct-horse-42")
    _login(page, "/account/messages/", "ann@example.com", "correct-horse-42")
    page.uncheck("input[name=orders][value=email]")
    page.click("#channels-form button[type=submit]")
    assert "keep e-mail" in page.locator("#channel-error").inner_text()  # nothing left to reach her: refused
    assert not ChannelPreference.objects.exists()
    browser_screenshot(page, tmp_path, "account-messages-refused.png")
    page.uncheck("input[name=orders][value=email]")
    page.check("input[name=orders][value=sms]")
    page.fill("#id_phone", "+48 600 100 200")
    page.click("#channels-form button[type=submit]")
    page.locator("#saved").wait_for()
    assert ChannelPreference.objects.get(user=user).choices == {"orders": ["sms"], "shipping": ["email"]}
    browser_screenshot(page, tmp_path, "account-messages.png")


def test_staff_preview_every_message_in_russian(page, django_user_model, tmp_path):
    django_user_model.objects.create_superuser("boss", "boss@example.com", "boss-pass-123")
    _login(page, "/admin/notify/outboxmessage/", "boss", "boss-pass-123")
    page.click("text=Template previews")
    page.click("#preview-langs a[hreflang=ru]")
    section = page.locator("#kind-order_confirmation")
    assert "Ваш заказ SF-000123 подтверждён" in section.inner_text()
    assert "UCS-2" in section.locator(".sms-meta").inner_text()
    frame = page.frame_locator("#kind-order_confirmation iframe")
    frame.locator("text=SF-000123").first.wait_for()  # the HTML e-mail, rendered in its sandboxed frame
    page.set_viewport_size({"width": 1280, "height": 1400})
    section.scroll_into_view_if_needed()
    browser_screenshot(section, tmp_path, "admin-message-preview.png")


def test_the_order_page_offers_the_telegram_bot(page, make_variant, details, tmp_path):
    from steadfast.checkout.services import order_place
    from steadfast.notify.telegram_link import link_token
    from steadfast.providers.models import Provider

    Provider.objects.create(kind="notify", code="tg", adapter="telegram", name="Telegram", priority=100,
                            config={"bot_username": "steadfast_demo_bot"})
    order, _ = order_place(lines=[(make_variant().pk, 1)], details=details, idempotency_key="browser-tg")
    page.goto(order.get_absolute_url())
    link = page.locator("#telegram-offer a")
    assert link.get_attribute("href") == f"https://t.me/steadfast_demo_bot?start={link_token(order=order)}"
    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator("#telegram-offer").scroll_into_view_if_needed()
    browser_screenshot(page, tmp_path, "order-telegram-offer.png")


def test_newsletter_sign_up_page(page, tmp_path):
    from steadfast.notify.models import NewsletterSubscriber

    page.goto("/")
    page.click("#footer-newsletter")
    page.fill("#id_email", "fan@example.com")
    page.click("#newsletter-signup button[type=submit]")
    assert "This field is required" in page.locator("#newsletter-signup").inner_text()  # consent not given
    assert not NewsletterSubscriber.objects.exists()
    browser_screenshot(page, tmp_path, "newsletter-signup.png")
    page.check("#id_consent")
    page.click("#newsletter-signup button[type=submit]")
    page.locator("#newsletter-sent").wait_for()
    assert NewsletterSubscriber.objects.get().confirmed_at is None
