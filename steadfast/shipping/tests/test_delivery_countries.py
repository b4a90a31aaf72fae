"""Addresses are checked per country, and only for the countries the shop delivers to (chosen by staff per
delivery method); a delivery method is offered only where it delivers."""

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from steadfast.checkout.tests.walk import ADDRESS, CONTACT, add_to_cart
from steadfast.orders.models import Order
from steadfast.shipping.models import DeliveryMethod
from steadfast.shipping.postcodes import postcode_normalise, postcode_problem

SHOTS = Path(django_settings.BASE_DIR) / "var" / "shots"


@pytest.mark.parametrize("country, typed, stored", [
    ("PL", "00-950", "00-950"), ("PL", "00950", "00-950"), ("DE", "10115", "10115"), ("NL", "1012ab", "1012 AB"),
    ("GB", "sw1a1aa", "SW1A 1AA"), ("CZ", "11000", "110 00"), ("LT", "LT-01100", "01100"), ("US", "10001-1234",
                                                                                           "10001-1234"),
])
def test_postcodes_of_a_country_are_accepted_and_written_its_way(country, typed, stored):
    assert postcode_problem(country, typed) == ""
    assert postcode_normalise(country, typed) == stored


@pytest.mark.parametrize("country, typed", [
    ("PL", "ZZZZZZZZ"), ("PL", "0095"), ("PL", "00-9500"), ("DE", "1011"), ("NL", "0123 AB"), ("GB", "12345"),
    ("FR", "7500"), ("ES", "2800"),
])
def test_postcodes_that_do_not_fit_the_country_are_refused_with_an_example(country, typed):
    assert "it looks like" in postcode_problem(country, typed)


def test_a_country_without_postcode_format_gets_a_sanity_check_only():
    assert postcode_problem("HK", "999077") == ""  # Hong Kong has no postcodes; whatever is typed is kept
    assert postcode_problem("HK", "!!") != ""


@pytest.fixture
def at_address_step(client, make_variant):
    add_to_cart(client, make_variant())
    client.post(reverse("checkout:contact"), CONTACT)
    client.post(reverse("checkout:delivery"), {"method": "courier"})
    return client


@pytest.mark.django_db
def test_the_reported_address_is_refused_field_by_field_and_nothing_kept(at_address_step):
    response = at_address_step.post(reverse("checkout:address"), {
        "address_line1": "x", "postcode": "ZZZZZZZZ", "city": "1", "country": "PL"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"address_line1", "postcode", "city"}
    assert "it looks like 00-950" in response.content.decode()
    assert "address" not in at_address_step.session["checkout"]


@pytest.mark.django_db
def test_only_the_countries_the_method_delivers_to_are_offered(at_address_step):
    page = at_address_step.get(reverse("checkout:address"))
    assert [code for code, _name in page.context["form"].fields["country"].choices] == ["PL"]  # default: shop's
    for far_away in ("AQ", "KP"):
        refused = at_address_step.post(reverse("checkout:address"), {**ADDRESS, "country": far_away})
        assert "We do not deliver to that country" in refused.content.decode()
    delivery = at_address_step.get(reverse("checkout:delivery")).content.decode()
    assert re.search(r"Delivers to: Poland\s*<", delivery)


@pytest.mark.django_db
def test_staff_choose_the_countries_in_the_admin(admin_client, client, make_variant):
    courier = DeliveryMethod.objects.get(code="courier")
    url = reverse("admin:shipping_deliverymethod_change", args=[courier.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "countries"}
    response = admin_client.post(url, {**data, "countries": ["DE", "PL"], "provider": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    courier.refresh_from_db()
    assert courier.countries == ["DE", "PL"]

    add_to_cart(client, make_variant())
    client.post(reverse("checkout:contact"), CONTACT)
    client.post(reverse("checkout:delivery"), {"method": "courier"})
    choices = [code for code, _name in client.get(reverse("checkout:address")).context["form"].fields[
        "country"].choices]
    assert choices == ["DE", "PL"]
    bad = client.post(reverse("checkout:address"), {**ADDRESS, "country": "DE", "postcode": "00-950"})
    assert "it looks like 26133" in bad.content.decode()  # the first of the data set's German examples
    good = client.post(reverse("checkout:address"), {**ADDRESS, "country": "DE", "postcode": "10115",
                                                     "city": "Berlin"})
    assert good["Location"] == reverse("checkout:payment")


@pytest.mark.django_db
def test_changing_to_a_method_that_does_not_go_there_asks_for_the_address_again(client, make_variant):
    DeliveryMethod.objects.filter(code="courier").update(countries=["DE", "PL"])
    DeliveryMethod.objects.create(code="local", name="Local van", kind="fixed", countries=["PL"], position=15)
    add_to_cart(client, make_variant())
    client.post(reverse("checkout:contact"), CONTACT)
    client.post(reverse("checkout:delivery"), {"method": "courier"})
    client.post(reverse("checkout:address"), {**ADDRESS, "country": "DE", "postcode": "10115", "city": "Berlin"})
    refused = client.post(reverse("checkout:delivery"), {"method": "local"})  # not offered for a Berlin address
    assert refused.status_code == 200 and [q.method_code for q in refused.context["quotes"]] == ["courier", "pickup"]
    client.post(reverse("checkout:delivery"), {"where": "1", "to-country": "PL", "to-postcode": "00-950",
                                               "to-city": "Warszawa"})
    assert client.post(reverse("checkout:delivery"), {"method": "local"}).status_code == 302
    assert client.get(reverse("checkout:payment"))["Location"] == reverse("checkout:address")


@pytest.mark.django_db
def test_api_lists_methods_for_a_country_and_refuses_one_they_do_not_reach(api_client, make_variant):
    client = api_client
    variant = make_variant(stock=5)
    client.post("/api/v1/cart/items", {"variant_id": variant.pk, "quantity": 1}, content_type="application/json")
    options = client.get("/api/v1/checkout/options", {"country": "de"}).json()
    assert [d["code"] for d in options["delivery_methods"]] == ["pickup"]
    poland = client.get("/api/v1/checkout/options", {"country": "PL"}).json()
    assert {d["code"]: d["countries"] for d in poland["delivery_methods"]} == {"courier": ["PL"], "pickup": []}

    body = {"contact": {"email": "ann@example.com", "phone": "+48 600 100 200", "full_name": "Ann Nowak"},
            "address": {"line1": "Unter den Linden 1", "postcode": "10117", "city": "Berlin", "country": "DE"},
            "delivery_method": "courier", "payment_method": "cash_on_delivery"}
    refused = client.post("/api/v1/checkout/orders", body, content_type="application/json",
                          headers={"Idempotency-Key": "country-0001"})
    assert refused.status_code == 422 and "does not deliver to that country" in refused.json()["detail"]
    body["address"] = {"line1": "ul. Długa 5", "postcode": "ZZZZZZZZ", "city": "Warszawa", "country": "PL"}
    refused = client.post("/api/v1/checkout/orders", body, content_type="application/json",
                          headers={"Idempotency-Key": "country-0002"})
    assert refused.status_code == 422 and "00-950" in refused.json()["detail"]
    assert not Order.objects.exists()
    body["address"]["postcode"] = "00950"
    placed = client.post("/api/v1/checkout/orders", body, content_type="application/json",
                         headers={"Idempotency-Key": "country-0003"})
    assert placed.status_code == 201 and Order.objects.get().postcode == "00-950"


@pytest.fixture
def api_client(client, settings):
    settings.RATELIMIT_PLACE_ORDER = "1000/m"
    return client


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_address_step_in_a_browser_says_what_is_wrong(page, make_variant):
    variant = make_variant(name="Harbour poster")
    page.goto(f"/p/{variant.product.slug}/")
    page.get_by_role("button", name=re.compile("Add to cart")).click()
    page.goto("/checkout/")
    page.get_by_label("Full name").fill("Ann Nowak")
    page.get_by_label("E-mail").fill("ann@example.com")
    page.get_by_label("Phone").fill("+48 600 100 200")
    page.get_by_role("button", name="Continue to delivery").click()
    assert page.get_by_text("Delivers to: Poland").is_visible()
    page.get_by_role("radio", name=re.compile("Courier")).check(force=True)
    page.get_by_role("button", name="Continue").click()
    assert page.locator("select[name=country] option").all_inner_texts() == ["Poland"]
    page.get_by_label("Street and number").fill("x")
    page.get_by_label("Postcode").fill("ZZZZZZZZ")
    page.get_by_label("City").fill("1")
    page.get_by_role("button", name="Continue to payment").click()
    assert page.get_by_text("This is not a postcode of that country; it looks like 00-950.").is_visible()
    assert page.get_by_text("Please enter the name of the town or city.").is_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "address-postcode-errors.png", full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_pick_countries_in_the_admin_chooser(page, django_user_model):
    django_user_model.objects.create_superuser("boss", "boss@example.com", "Boss-pass-123456")
    courier = DeliveryMethod.objects.get(code="courier")
    page.goto(reverse("admin:shipping_deliverymethod_change", args=[courier.pk]))
    page.get_by_label("Username").fill("boss")
    page.get_by_label("Password").fill("Boss-pass-123456")
    page.get_by_role("button", name="Log in").click()
    page.locator("#id_countries_input").fill("Germ")  # the chooser's filter box
    page.locator("#id_countries_input").press("End")
    page.locator("#id_countries_from").select_option("DE")
    page.locator("#id_countries_add").click()
    page.locator("#id_countries_input").fill("Pol")
    page.locator("#id_countries_input").press("End")  # the filter reacts to key presses
    page.locator("#id_countries_from").select_option("PL")
    page.locator("#id_countries_add").click()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("fieldset", has_text="Where it delivers").screenshot(path=SHOTS / "admin-delivery-countries.png")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url("**/shipping/deliverymethod/")
    courier.refresh_from_db()
    assert courier.countries == ["DE", "PL"]


def test_postcode_formats_need_no_network(monkeypatch):
    """The data set ships inside the package: a shop with no way out still checks addresses."""
    import socket

    from steadfast.shipping import postcodes

    def refuse(*args, **kwargs):
        raise OSError("the network was used")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    postcodes._format.cache_clear()
    assert postcode_problem("PT", "1100148") == "" and postcode_normalise("PT", "1100148") == "1100-148"
    assert "it looks like" in postcode_problem("PT", "11001")
