"""Drive the checkout through the test client, step by step, as a shopper would."""

from django.urls import reverse

CONTACT = {"full_name": "Ann Nowak", "email": "ann@example.com", "phone": "+48 600 100 200"}
ADDRESS = {
    "address_line1": "ul. Długa 5", "address_line2": "", "postcode": "00-950", "city": "Warszawa", "country": "PL",
}


def add_to_cart(client, variant, quantity=1):
    return client.post(reverse("cart:add"), {"variant": variant.pk, "quantity": quantity})


def where_to(client, place=None):
    """The delivery step's "where should the parcel go?" form (postcode, town, country)."""
    place = place or ADDRESS
    response = client.post(reverse("checkout:delivery"), {
        "where": "1", "to-country": place["country"], "to-postcode": place["postcode"], "to-city": place["city"]})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


def walk_to_review(client, delivery="courier", payment="cash_on_delivery", contact=None):
    """Fill every step; returns the rendered review page (its context holds token and fingerprint)."""
    response = client.post(reverse("checkout:contact"), contact or CONTACT)
    assert response.status_code == 302 and response["Location"] == reverse("checkout:delivery")
    where_to(client)  # carriers price the address's postcode and town
    response = client.post(reverse("checkout:delivery"), {"method": delivery})
    assert response.status_code == 302
    if response["Location"] == reverse("checkout:address"):
        response = client.post(reverse("checkout:address"), ADDRESS)
        assert response.status_code == 302
    assert response["Location"] == reverse("checkout:payment")
    response = client.post(reverse("checkout:payment"), {"method": payment})
    assert response.status_code == 302 and response["Location"] == reverse("checkout:review")
    review = client.get(reverse("checkout:review"))
    assert review.status_code == 200
    return review


def place(client, review, **extra):
    data = {"token": review.context["token"], "fingerprint": review.context["fingerprint"], **extra}
    return client.post(reverse("checkout:place"), data)
