"""The smaller back-office pages: outbox, payments, providers, delivery methods."""

import pytest
from django.urls import reverse

from steadfast.checkout.services import order_place
from steadfast.notify.models import OutboxMessage
from steadfast.payments.models import Payment


@pytest.fixture
def order(make_variant, details):
    variant = make_variant(stock=5)
    return order_place(lines=[(variant.pk, 1)], details=details, idempotency_key="other-1")[0]


@pytest.mark.django_db
def test_replay_requeues_only_dead_lettered_messages(admin_client, order):
    dead = OutboxMessage.objects.get(order=order)
    OutboxMessage.objects.filter(pk=dead.pk).update(
        status=OutboxMessage.Status.DEAD, attempts=8, last_error="SMTP down")
    sent = OutboxMessage.objects.create(key="sent-1", kind="order_paid", recipient="a@example.com",
                                        status=OutboxMessage.Status.SENT)
    url = reverse("admin:notify_outboxmessage_changelist")
    dead_list = admin_client.get(url, {"status__exact": "dead"})
    assert list(dead_list.context["cl"].result_list) == [dead]
    assert "SMTP down" in dead_list.content.decode()

    response = admin_client.post(url, {"action": "replay", "_selected_action": [dead.pk, sent.pk]}, follow=True)
    texts = [str(m) for m in response.context["messages"]]
    assert any("1 message is queued" in t for t in texts) and any("left alone" in t for t in texts)
    dead.refresh_from_db()
    sent.refresh_from_db()
    assert dead.status == OutboxMessage.Status.PENDING and dead.attempts == 0
    assert sent.status == OutboxMessage.Status.SENT


@pytest.mark.django_db
def test_payments_are_read_only(admin_client, order):
    payment = Payment.objects.get(order=order)
    page = admin_client.get(reverse("admin:payments_payment_change", args=[payment.pk]))
    assert page.status_code == 200 and order.number in page.content.decode()
    assert 'name="amount"' not in page.content.decode()
    admin_client.post(reverse("admin:payments_payment_change", args=[payment.pk]), {"amount": "0.01"})
    payment.refresh_from_db()
    assert payment.amount == order.total
    assert admin_client.get(reverse("admin:payments_payment_add")).status_code == 403


@pytest.mark.django_db
def test_provider_and_delivery_lists_show_the_seeded_methods(admin_client):
    providers = admin_client.get(reverse("admin:providers_provider_changelist")).content.decode()
    assert "Cash on delivery" in providers and "Bank transfer" in providers
    methods = admin_client.get(reverse("admin:shipping_deliverymethod_changelist")).content.decode()
    assert "Courier" in methods and "€4.90" in methods and "€100.00" in methods
