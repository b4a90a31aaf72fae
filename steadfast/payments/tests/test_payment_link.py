"""Payment links for phone orders: staff create one on the order page, the customer pays online with it."""

import dataclasses
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from steadfast.checkout.services import order_place
from steadfast.notify.models import OutboxMessage
from steadfast.notify.tasks import outbox_sweep
from steadfast.orders.models import OrderStatus
from steadfast.payments.links import payment_link_url
from steadfast.payments.models import Payment, PaymentLink
from steadfast.payments.tests.conftest import pay_on_fake
from steadfast.providers.breaker import breaker_admit, breaker_record
from steadfast.providers.models import Attempt
from steadfast.shoptime import shop_datetime

pytestmark = pytest.mark.django_db


@pytest.fixture
def phone_order(make_variant, details, stripe_provider):
    """An order staff took by phone, placed with bank transfer: unpaid, stock reserved for days."""
    variant = make_variant(stock=5, price="20.00")
    by_phone = dataclasses.replace(details, payment_method="bank_transfer")
    order, _ = order_place(lines=[(variant.pk, 1)], details=by_phone, idempotency_key="phone-1")
    return order


def create_link(admin_client, order):
    response = admin_client.post(reverse("admin:orders_order_payment_link", args=[order.pk]), follow=True)
    assert response.status_code == 200
    return response


def link_path(response):
    return re.search(r"http://[^/\s]+(/pay/[A-Za-z0-9_-]+/)", response.content.decode()).group(1)


def test_staff_create_a_link_and_see_it_on_the_order_page(admin_client, phone_order):
    response = create_link(admin_client, phone_order)
    link = PaymentLink.objects.get(order=phone_order)
    assert len(link.token) >= 43  # 32 random bytes: 256 bits
    page = response.content.decode()
    assert "send it to the customer; it is not sent automatically" in page
    assert link_path(response) == f"/pay/{link.token}/" and page.count(link.token) >= 2  # message and the box
    assert timedelta(hours=71) < link.expires_at - timezone.now() <= timedelta(hours=72)
    event = phone_order.events.get(kind="payment_link")
    assert event.actor == "staff:admin" and "Payment link created" in event.message
    assert f"it works until {shop_datetime(link.expires_at)} and" in event.message  # the zone named (CET)
    assert not phone_order.messages.filter(kind__startswith="payment_link").exists()  # nothing sent by itself

    # With a link, copying it is the big button; replacing it is the quiet second choice.
    assert 'class="button default sf-big" data-copy="sf-payment-link-url"' in page
    assert re.search(r'class="button sf-secondary">\s*Replace with a new link', page)
    assert 'sf-big">Replace' not in page and "Create payment link" not in page

    # A second link replaces the first: one live link per order.
    create_link(admin_client, phone_order)
    first, second = PaymentLink.objects.order_by("pk")
    assert first.revoked_at is not None and second.is_live()
    assert admin_client.get(f"/pay/{first.token}/").status_code == 404


def test_customer_opens_the_link_and_pays_by_card(client, admin_client, phone_order, fake_stripe, stripe_provider):
    path = link_path(create_link(admin_client, phone_order))
    page = client.get(path)
    text = page.content.decode()
    assert page.status_code == 200 and phone_order.number in text and "€24.90" in text
    assert "Card (Stripe)" in text and "Bank transfer" not in text  # online methods only
    answer = client.post(path, {"method": "stripe"})
    assert answer.status_code == 302 and answer["Location"].startswith(fake_stripe.url + "/pay/")
    payment = phone_order.payments.get(provider=stripe_provider)
    assert payment.return_url.endswith(phone_order.get_absolute_url())

    back = pay_on_fake(fake_stripe, answer["Location"])
    landing = client.get(back.headers["Location"], follow=True).content.decode()
    assert "Thank you! Your payment was received." in landing
    phone_order.refresh_from_db()
    assert phone_order.status == OrderStatus.PAID and len(fake_stripe.charges()) == 1
    assert "payment_link_used" in set(phone_order.events.values_list("kind", flat=True))
    assert "This order is already paid." in client.get(path).content.decode()  # the link cannot pay twice
    assert client.post(path, {"method": "stripe"}).status_code == 200 and len(fake_stripe.sessions) == 1


def test_gateway_down_the_link_offers_the_others_and_keeps_the_order(client, admin_client, phone_order,
                                                                     fake_stripe, stripe_provider):
    path = link_path(create_link(admin_client, phone_order))
    fake_stripe.set_fault("status", status=503)
    answer = client.post(path, {"method": "stripe"}, follow=True)
    assert answer.request["PATH_INFO"] == path
    assert "temporarily unavailable" in answer.content.decode()
    assert phone_order.payments.filter(provider=stripe_provider, failure=Payment.Failure.UNAVAILABLE).exists()
    for _ in range(3):  # the breaker opens: the method is shown but cannot be chosen
        breaker_record(stripe_provider, breaker_admit(stripe_provider), Attempt.Outcome.UNAVAILABLE, "503")
    page = client.get(path).content.decode()
    assert "Online payments are temporarily unavailable" in page and 'value="stripe" disabled' in page
    assert client.post(path, {"method": "stripe"}, follow=True).request["PATH_INFO"] == path
    assert phone_order.payments.filter(provider=stripe_provider).count() == 1


def test_expired_unknown_and_refused_links(client, admin_client, phone_order):
    path = link_path(create_link(admin_client, phone_order))
    PaymentLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    gone = client.get(path)
    assert gone.status_code == 404 and "This payment link no longer works" in gone.content.decode()
    assert client.post(path, {"method": "stripe"}).status_code == 404
    assert client.get("/pay/not-a-real-token/").status_code == 404

    phone_order.status = OrderStatus.CANCELLED
    phone_order.save()
    refused = create_link(admin_client, phone_order)
    assert "No payment link for order" in refused.content.decode()
    assert PaymentLink.objects.count() == 1


def test_link_keeps_a_card_order_reserved_until_it_expires(admin_client, card_order):
    order = card_order()
    assert order.reserved_until < timezone.now() + timedelta(hours=1)
    create_link(admin_client, order)
    order.refresh_from_db()
    assert order.reserved_until == PaymentLink.objects.get().expires_at


def test_link_needs_staff_and_post(client, admin_client, phone_order):
    url = reverse("admin:orders_order_payment_link", args=[phone_order.pk])
    assert client.post(url).status_code == 302 and not PaymentLink.objects.exists()  # to the login page
    assert admin_client.get(url).status_code == 405


# --- "Send the payment link to the customer": through the outbox, once per link ----------------------------------


def send_link(admin_client, order, link):
    url = reverse("admin:orders_order_payment_link_send", args=[order.pk])
    return admin_client.post(url, {"link": link.pk}, follow=True).content.decode()


def mails_with(text):
    return [sent for sent in mail.outbox if text in sent.body]


def test_staff_send_the_link_and_the_customer_gets_it_once(admin_client, phone_order):
    create_link(admin_client, phone_order)
    link = PaymentLink.objects.get(order=phone_order)
    url = payment_link_url(link)
    page = admin_client.get(reverse("admin:orders_order_change", args=[phone_order.pk])).content.decode()
    assert "Send the payment link to the customer" in page

    answer = send_link(admin_client, phone_order, link)
    assert f"is on its way to {phone_order.email}" in answer
    message = phone_order.messages.get(kind="payment_link")
    assert message.key == f"payment_link:{link.pk}" and message.addresses["email"] == phone_order.email
    outbox_sweep()
    [sent] = mails_with(url)
    assert sent.to == [phone_order.email] and phone_order.number in sent.subject
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT and message.channel == "email"
    event = phone_order.events.get(kind="payment_link_sent")
    assert event.actor == "staff:admin" and phone_order.email in event.message

    # Pressed again (a double click, a second look at the page): still one message, one event.
    assert "already sent to the customer; it was not sent again" in send_link(admin_client, phone_order, link)
    outbox_sweep()
    assert len(mails_with(url)) == 1 and phone_order.messages.filter(kind="payment_link").count() == 1
    assert phone_order.events.filter(kind="payment_link_sent").count() == 1


def test_a_replaced_link_is_not_sent_and_the_new_one_is(admin_client, phone_order):
    create_link(admin_client, phone_order)
    old = PaymentLink.objects.get(order=phone_order)
    create_link(admin_client, phone_order)  # replaced while a page showing the old one stayed open
    new = PaymentLink.objects.exclude(pk=old.pk).get()
    assert "was not sent: this link was replaced or has expired" in send_link(admin_client, phone_order, old)
    assert not phone_order.messages.filter(kind="payment_link").exists()
    send_link(admin_client, phone_order, new)
    assert phone_order.messages.get(kind="payment_link").payload["url"] == payment_link_url(new)


def test_sending_the_link_needs_staff_and_post(client, admin_client, phone_order):
    create_link(admin_client, phone_order)
    link = PaymentLink.objects.get()
    url = reverse("admin:orders_order_payment_link_send", args=[phone_order.pk])
    assert client.post(url, {"link": link.pk}).status_code == 302  # to the login page
    assert admin_client.get(url).status_code == 405
    assert not OutboxMessage.objects.filter(kind="payment_link").exists()
