import uuid
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from steadfast.catalog.models import Variant
from steadfast.checkout.tests.walk import ADDRESS, CONTACT, add_to_cart, place, walk_to_review
from steadfast.orders.models import Order, OrderStatus

pytestmark = pytest.mark.django_db


def test_full_guest_checkout_ends_with_an_order_on_its_page(client, make_variant):
    variant = make_variant(stock=5, price="19.90", name="Rain jacket")
    add_to_cart(client, variant, 2)

    contact = client.get(reverse("checkout:contact"))
    assert contact.status_code == 200
    assert [s["name"] for s in contact.context["steps"]] == ["contact", "delivery", "address", "payment", "review"]
    assert 'aria-current="step"' in contact.content.decode()
    delivery = client.post(reverse("checkout:contact"), CONTACT, follow=True)
    page = delivery.content.decode()
    assert "Courier" in page and "Pick up in the shop" in page and "4.90" in page
    address = client.post(reverse("checkout:delivery"), {"method": "courier"}, follow=True)
    assert address.request["PATH_INFO"] == reverse("checkout:address")
    payment = client.post(reverse("checkout:address"), ADDRESS, follow=True)
    page = payment.content.decode()
    assert page.index("Cash on delivery") < page.index("Bank transfer")  # priority order
    assert "Pay the courier in cash or by card." in page  # the provider's description
    review = client.post(reverse("checkout:payment"), {"method": "cash_on_delivery"}, follow=True)
    page = review.content.decode()
    assert review.request["PATH_INFO"] == reverse("checkout:review")
    assert "Rain jacket" in page and "ul. Długa 5" in page and "ann@example.com" in page
    assert "€44.70" in page  # 2 × 19.90 + 4.90 delivery
    for step in ("contact", "delivery", "address", "payment"):
        assert reverse(f"checkout:{step}") in page  # edit links

    response = place(client, review)

    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == order.get_absolute_url()
    assert order.user is None and order.email == "ann@example.com" and order.city == "Warszawa"
    assert order.total == Decimal("44.70") and order.status == OrderStatus.AWAITING_OFFLINE_PAYMENT
    assert Variant.objects.get(pk=variant.pk).stock == 3
    page = client.get(order.get_absolute_url()).content.decode()
    assert order.number in page and "Rain jacket" in page and "Awaiting offline payment" in page
    assert client.session.get("cart") == {}
    assert "checkout" not in client.session


def test_pickup_skips_the_address_step(client, make_variant):
    add_to_cart(client, make_variant(stock=2, price="10.00"))
    client.post(reverse("checkout:contact"), CONTACT)

    response = client.post(reverse("checkout:delivery"), {"method": "pickup"})

    assert response["Location"] == reverse("checkout:payment")
    payment = client.get(reverse("checkout:payment"))
    assert [s["name"] for s in payment.context["steps"]] == ["contact", "delivery", "payment", "review"]
    assert client.get(reverse("checkout:address"))["Location"] == reverse("checkout:payment")
    review = walk_to_review(client, delivery="pickup", payment="pay_at_pickup")
    place(client, review)
    order = Order.objects.get()
    assert order.delivery_method == "pickup" and order.address_line1 == "" and order.delivery_total == 0
    assert "ul. Prosta 1" in client.get(order.get_absolute_url()).content.decode()


def test_steps_show_errors_next_to_fields_and_keep_nothing(client, make_variant):
    add_to_cart(client, make_variant())
    response = client.post(reverse("checkout:contact"), {"full_name": "", "email": "not-an-email", "phone": "call me"})

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"full_name", "email", "phone"}
    assert 'class="errorlist"' in response.content.decode()
    assert "checkout" not in client.session
    # A later step cannot be reached before the earlier ones are done.
    assert client.get(reverse("checkout:review"))["Location"] == reverse("checkout:contact")


def test_unknown_delivery_or_payment_code_is_refused(client, make_variant):
    add_to_cart(client, make_variant())
    client.post(reverse("checkout:contact"), CONTACT)
    response = client.post(reverse("checkout:delivery"), {"method": "teleport"})
    assert response.status_code == 200
    assert "Please choose one of the delivery methods shown." in response.content.decode()
    client.post(reverse("checkout:delivery"), {"method": "pickup"})
    response = client.post(reverse("checkout:payment"), {"method": "free_money"})
    assert response.status_code == 200
    assert "Please choose one of the payment methods shown." in response.content.decode()


def test_logged_in_customer_gets_email_prefilled(client, make_variant, django_user_model):
    user = django_user_model.objects.create_user("bob@example.com", "bob@example.com", "pw-Long-enough-1")
    client.force_login(user)
    add_to_cart(client, make_variant())

    form = client.get(reverse("checkout:contact")).context["form"]

    assert form["email"].value() == "bob@example.com"


def test_empty_cart_cannot_check_out(client):
    response = client.get(reverse("checkout:contact"), follow=True)
    assert response.request["PATH_INFO"] == reverse("cart:detail")
    assert "Your cart is empty" in response.content.decode()


def test_double_submit_makes_one_order(client, make_variant):
    variant = make_variant(stock=5)
    add_to_cart(client, variant)
    review = walk_to_review(client)

    first = place(client, review)
    second = place(client, review)

    order = Order.objects.get()
    assert first["Location"] == second["Location"] == order.get_absolute_url()
    assert Variant.objects.get(pk=variant.pk).stock == 4


def test_tampered_price_in_the_post_is_ignored(client, make_variant):
    add_to_cart(client, make_variant(stock=5, price="50.00"))
    review = walk_to_review(client)

    place(client, review, price="0.01", unit_price="0.01", total="0.01", subtotal="0.01", delivery_total="0")

    order = Order.objects.get()
    assert order.subtotal == Decimal("50.00") and order.total == Decimal("54.90")
    assert order.lines.get().unit_price == Decimal("50.00")


def test_cart_changed_after_review_is_not_placed_blindly(client, make_variant):
    variant = make_variant(stock=5)
    add_to_cart(client, variant)
    review = walk_to_review(client)
    add_to_cart(client, variant)  # another tab

    response = place(client, review)

    assert response["Location"] == reverse("checkout:review")
    assert Order.objects.count() == 0


def test_out_of_stock_at_placing_goes_back_to_cart_and_changes_nothing(client, make_variant):
    variant = make_variant(stock=3)
    add_to_cart(client, variant, 2)
    review = walk_to_review(client)
    Variant.objects.filter(pk=variant.pk).update(stock=1)  # someone else bought it meanwhile

    response = place(client, review)

    assert response["Location"] == reverse("cart:detail")
    assert Order.objects.count() == 0 and Variant.objects.get(pk=variant.pk).stock == 1
    cart = client.get(reverse("cart:detail")).content.decode()
    assert "not enough stock" in cart and "Only 1 of" in cart


def test_missing_csrf_token_is_refused_and_places_nothing(make_variant):
    client = Client(enforce_csrf_checks=True)
    add_to_cart(client, make_variant())  # refused as well, but fill the cart through the session instead
    session = client.session
    session["cart"] = {str(Variant.objects.get().pk): 1}
    session.save()

    response = client.post(reverse("checkout:place"), {"token": str(uuid.uuid4())})

    assert response.status_code == 403
    assert Order.objects.count() == 0


def test_twenty_first_place_order_in_a_minute_gets_429(make_variant, settings):
    settings.RATELIMIT_PLACE_ORDER = "20/h"  # an hour-long window cannot roll over mid-test
    # A unique address keeps this test's count apart from others sharing a Redis cache.
    client = Client(REMOTE_ADDR=f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}")
    statuses = [client.post(reverse("checkout:place"), {"token": "x"}).status_code for _ in range(21)]

    assert statuses[:20] == [302] * 20
    assert statuses[20] == 429
    assert Order.objects.count() == 0
