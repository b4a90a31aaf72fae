import pytest
from django.urls import reverse

from steadfast.checkout.services import order_place
from steadfast.orders.services import SYSTEM, order_cancel, order_event_add

pytestmark = pytest.mark.django_db


def test_guessed_token_gets_a_friendly_404(client, make_variant, details):
    order_place(lines=[(make_variant().pk, 1)], details=details, idempotency_key="k")

    response = client.get(reverse("orders:detail", args=["guessed-token-123"]))

    assert response.status_code == 404
    assert "We could not find that order" in response.content.decode()


def test_order_page_shows_lines_totals_address_payment_and_timeline(client, make_variant, details):
    variant = make_variant(price="30.00", name="Trail shoes")
    order, _ = order_place(lines=[(variant.pk, 2)], details=details, idempotency_key="k")
    order_event_add(order, "note", "staff:kasia", "Packed with care.")
    order_event_add(order, "note", SYSTEM, "Reminder sent.")

    page = client.get(order.get_absolute_url()).content.decode()

    assert order.number in page and "Awaiting offline payment" in page
    assert "Trail shoes" in page and "€60.00" in page and "€64.90" in page
    assert "ul. Długa 5" in page and "00-950 Warszawa" in page and "Poland" in page
    assert "Cash on delivery" in page and "when the courier delivers your order" in page
    assert "ann@example.com" in page and "+48 600 100 200" in page
    assert ">You<" in page and ">Shop<" in page and ">System<" in page
    assert "Packed with care." in page and "Order placed." in page


def test_bank_transfer_shows_account_and_reference_prominently(client, make_variant, details, settings):
    bank = details.__class__(**{**details.__dict__, "payment_method": "bank_transfer"})
    order, _ = order_place(lines=[(make_variant().pk, 1)], details=bank, idempotency_key="k")

    page = client.get(order.get_absolute_url()).content.decode()

    assert 'class="big mono">' + settings.SHOP_BANK_ACCOUNT in page
    assert 'class="big mono">' + order.number in page


def test_cancelled_order_shows_its_new_status_in_the_timeline(client, make_variant, details):
    order, _ = order_place(lines=[(make_variant().pk, 1)], details=details, idempotency_key="k")
    order_cancel(order, SYSTEM, "Reservation expired.")

    page = client.get(order.get_absolute_url()).content.decode()

    assert "Cancelled" in page and "Reservation expired." in page
    assert "How to pay" not in page
