"""The product page's "Questions? Call …" line: the configured phone in every language, no line without one."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

QUESTION = {"en": "Questions about this product?", "pl": "Pytania o ten produkt?", "ru": "Вопросы об этом товаре?"}


@pytest.fixture
def product_url(make_variant):
    variant = make_variant(stock=3, name="Rain Jacket")
    return variant.product.get_absolute_url()


def read_in(client, language, url) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    with translation.override(language):  # the middleware activates it in this thread: put the old one back after
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("language", sorted(QUESTION))
def test_the_line_names_the_configured_phone(client, product_url, settings, language):
    settings.SHOP_PHONE = "+48 22 555 01 02"
    html = read_in(client, language, product_url)
    line = html[html.index(QUESTION[language]):]
    assert line[: line.index("</li>")].endswith("+48 22 555 01 02.")


@pytest.mark.parametrize("language", sorted(QUESTION))
def test_no_phone_means_no_line_and_no_empty_call(client, product_url, settings, language):
    settings.SHOP_PHONE = ""
    html = read_in(client, language, product_url)
    assert QUESTION[language] not in html
    assert 'href="tel:"' not in html
    for empty in ("Call .", "Zadzwoń: .", "Звоните: ."):
        assert empty not in html


def test_sold_out_without_a_phone_says_so_plainly(client, make_variant, settings):
    settings.SHOP_PHONE = ""
    variant = make_variant(stock=0, name="Gone Jacket")
    html = client.get(reverse("storefront:product", args=[variant.product.slug])).content.decode()
    assert "Sold out for now." in html and "Call us at" not in html


def test_home_page_without_a_phone_offers_writing_instead(client, product_url, settings):
    settings.SHOP_PHONE = ""
    html = client.get("/").content.decode()
    assert "Call us at" not in html and "Write to us" in html and "Questions? Call us:" not in html
