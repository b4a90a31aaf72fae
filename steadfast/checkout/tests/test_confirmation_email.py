import pytest
from django.core import mail

from steadfast.checkout.tests.walk import add_to_cart, place, walk_to_review
from steadfast.notify.models import OutboxMessage
from steadfast.notify.tasks import outbox_sweep
from steadfast.orders.models import Order
from steadfast.orders.services import SYSTEM, order_cancel, order_fulfil

pytestmark = pytest.mark.django_db


def test_placing_then_sweeping_sends_the_confirmation(client, make_variant, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://shop.example"
    add_to_cart(client, make_variant(name="Rain jacket", price="19.90"), 2)
    place(client, walk_to_review(client, payment="bank_transfer"))
    order = Order.objects.get()

    assert outbox_sweep() == 1

    message = mail.outbox[0]
    assert message.to == ["ann@example.com"]
    assert order.number in message.subject
    assert order.number in message.body and "Rain jacket" in message.body and "€44.70" in message.body
    assert "https://shop.example" + order.get_absolute_url() in message.body
    assert "with the reference " + order.number in message.body  # the bank transfer instructions
    assert "&#x27;" not in message.body and "&amp;" not in message.body  # plain text, not HTML-escaped
    row = OutboxMessage.objects.get(kind="order_confirmation")
    assert row.status == OutboxMessage.Status.SENT and row.sent_at is not None


def test_shipped_and_cancelled_messages_render_with_the_link(make_variant, details, settings):
    from steadfast.checkout.services import order_place

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    shipped, _ = order_place(lines=[(make_variant().pk, 1)], details=details, idempotency_key="a")
    cancelled, _ = order_place(lines=[(make_variant().pk, 1)], details=details, idempotency_key="b")
    order_fulfil(shipped, SYSTEM)
    order_cancel(cancelled, SYSTEM, "Reservation expired.")

    assert outbox_sweep() == 4

    bodies = {m.subject: m.body for m in mail.outbox}
    shipped_body = bodies[f"Your order {shipped.number} is on its way"]
    assert settings.SITE_URL + shipped.get_absolute_url() in shipped_body and "ready for the courier" in shipped_body
    cancelled_body = bodies[f"Your order {cancelled.number} has been cancelled"]
    assert "Reservation expired." in cancelled_body and cancelled.get_absolute_url() in cancelled_body
