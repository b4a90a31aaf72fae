"""What staff see, in Chromium: a message's attempt log, the order timeline, the chains, replaying a dead letter.
(docs/screenshots/admin-outbox-message.png and admin-message-chains.png were taken by this test.)"""

import os
from pathlib import Path

import pytest

from steadfast.notify.models import OutboxMessage
from steadfast.notify.tasks import outbox_sweep
from steadfast.testing import admin_browser_login

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("STEADFAST_SHOTS_DIR", "")  # set to keep the screenshots for a look


def test_staff_see_the_attempt_log_and_the_timeline_and_replay_a_dead_letter(
        page, django_user_model, channels, smtp, smsru, telegram, make_variant, details, tmp_path):
    from steadfast.checkout.services import order_place

    smtp.rejected.add(details.email)
    order, _ = order_place(lines=[(make_variant().pk, 1)], details=details, idempotency_key="browser-1")
    assert outbox_sweep() == 1
    message = OutboxMessage.objects.get(order=order)
    admin_browser_login(page, django_user_model)

    page.goto(f"/admin/notify/outboxmessage/{message.pk}/change/")
    log = " ".join(page.locator("#deliveries-group tbody").inner_text().split())
    refused, sent = log.find("Refused for this address"), log.find("smsru Sent")
    assert 0 <= refused < sent and "550" in log, log
    preview = page.locator(".field-preview").inner_text()
    assert f"Your order {order.number} is confirmed" in preview and "thank you for your order" in preview
    page.screenshot(path=str(tmp_path / "admin-outbox-message.png"), full_page=True)
    if SHOTS:
        (Path(SHOTS) / "admin-outbox-message.png").write_bytes((tmp_path / "admin-outbox-message.png").read_bytes())

    page.goto(f"/admin/orders/order/{order.pk}/change/")
    timeline = page.locator("body").inner_text()
    assert "Message order_confirmation by SMS (smsru): Sent" in timeline

    OutboxMessage.objects.filter(pk=message.pk).update(status="dead", last_error="every channel failed")
    page.goto("/admin/notify/outboxmessage/?status__exact=dead")
    page.check(f"input[name=_selected_action][value='{message.pk}']")
    page.select_option("select[name=action]", "replay")
    page.click("button[name=index]")
    assert "1 message is queued for delivery again." in page.locator(".messagelist").inner_text()
    assert OutboxMessage.objects.get(pk=message.pk).status == "pending"

    # The default chains come from a data migration; an earlier transactional test may have flushed them.
    from steadfast.notify.defaults import notify_defaults_ensure
    from steadfast.notify.models import MessageChain
    from steadfast.providers.models import Provider

    notify_defaults_ensure(Provider, MessageChain)
    page.goto("/admin/notify/messagechain/")
    assert "email,sms,telegram" in page.locator("#result_list").inner_text().replace(" ", "")
    page.screenshot(path=str(tmp_path / "admin-message-chains.png"), full_page=True)


def test_a_customer_unsubscribes_from_offers_in_one_click(page, tmp_path):
    from steadfast.notify.campaigns import newsletter_subscribe
    from steadfast.notify.models import NewsletterSubscriber

    subscriber = newsletter_subscribe("fan@example.com", "en")
    page.goto(f"/newsletter/unsubscribe/{subscriber.token}/")
    assert "fan@example.com" in page.locator("#newsletter-unsubscribe").inner_text()
    page.screenshot(path=str(tmp_path / "unsubscribe.png"), full_page=True)
    page.click("#newsletter-unsubscribe button")
    assert page.locator("h1").first.inner_text() == "You are unsubscribed"
    page.screenshot(path=str(tmp_path / "unsubscribed.png"), full_page=True)
    if SHOTS:
        for name in ("unsubscribe.png", "unsubscribed.png"):
            (Path(SHOTS) / name).write_bytes((tmp_path / name).read_bytes())
    assert NewsletterSubscriber.objects.get(pk=subscriber.pk).unsubscribed_at is not None
