import pytest
from django.urls import reverse

from steadfast.catalog.models import Variant

pytestmark = pytest.mark.django_db


def add(client, variant_id, quantity, follow=True):
    return client.post(reverse("cart:add"), {"variant": variant_id, "quantity": quantity}, follow=follow)


def test_adding_shows_the_item_with_database_price(client, make_variant):
    variant = make_variant(stock=5, price="12.50", name="Wool socks")

    page = add(client, variant.pk, 2).content.decode()

    assert "Wool socks" in page and "€25.00" in page and "Added to your cart." in page
    assert client.session["cart"] == {str(variant.pk): 2}


def test_adding_more_than_the_stock_is_limited_with_a_message(client, make_variant):
    variant = make_variant(stock=3)

    page = add(client, variant.pk, 5).content.decode()

    assert client.session["cart"] == {str(variant.pk): 3}
    assert "Only 3 of" in page and "limited" in page


@pytest.mark.parametrize("quantity", ["-1", "abc", "2.5", "", "1000"])
def test_bad_quantities_change_nothing(client, make_variant, quantity):
    variant = make_variant(stock=5)
    add(client, variant.pk, 1)

    added = add(client, variant.pk, quantity).content.decode()
    updated = client.post(reverse("cart:update"), {"variant": variant.pk, "quantity": quantity}, follow=True)

    assert client.session["cart"] == {str(variant.pk): 1}
    for page in (added, updated.content.decode()):
        assert "Quantity must be" in page


def test_unknown_variant_changes_nothing(client, make_variant):
    variant = make_variant()
    add(client, variant.pk, 1)

    for bad in ("999999", "x", ""):
        page = add(client, bad, 1).content.decode()
        assert "This item is not available." in page
    assert client.session["cart"] == {str(variant.pk): 1}


def test_update_and_remove(client, make_variant):
    keep, drop = make_variant(stock=5), make_variant(stock=5)
    add(client, keep.pk, 1)
    add(client, drop.pk, 1)

    client.post(reverse("cart:update"), {"variant": keep.pk, "quantity": 4})
    client.post(reverse("cart:remove"), {"variant": drop.pk})

    assert client.session["cart"] == {str(keep.pk): 4}
    client.post(reverse("cart:update"), {"variant": keep.pk, "quantity": 0})
    assert client.session["cart"] == {}
    assert "Your cart is empty." in client.get(reverse("cart:detail")).content.decode()


def test_removing_what_is_not_in_the_cart_says_so(client, make_variant):
    page = client.post(reverse("cart:remove"), {"variant": "42"}, follow=True).content.decode()
    assert "That item is not in your cart." in page


def test_stock_changed_since_adding_shows_a_message(client, make_variant):
    lowered, gone = make_variant(stock=5, name="Tent"), make_variant(stock=5, name="Stove")
    add(client, lowered.pk, 4)
    add(client, gone.pk, 1)
    Variant.objects.filter(pk=lowered.pk).update(stock=2)
    Variant.objects.filter(pk=gone.pk).update(stock=0)

    page = client.get(reverse("cart:detail")).content.decode()

    assert "Only 2 of Tent" in page and "we changed the quantity" in page
    assert "Stove — M is now out of stock" in page
    assert client.session["cart"] == {str(lowered.pk): 2}


def test_cart_pages_refuse_get_for_changes(client):
    assert client.get(reverse("cart:add")).status_code == 405
