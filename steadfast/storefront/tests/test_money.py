from decimal import Decimal

from django.template import Context, Template
from django.utils import translation

from steadfast.money import Money


def render(language, value):
    with translation.override(language):
        return Template("{% load shop %}{{ value|money }}").render(Context({"value": value}))


def test_money_formats_eur_for_each_language():
    price = Money(Decimal("1234.50"), "EUR")
    en, pl, ru = render("en", price), render("pl", price), render("ru", price)
    assert en == "€1,234.50"
    # Polish and Russian put the symbol after the amount and use a decimal comma; Russian groups thousands.
    assert pl.replace("\xa0", " ") == "1234,50 €"
    assert ru.replace("\xa0", " ").replace("\u202f", " ") == "1 234,50 €"
    assert len({en, pl, ru}) == 3
    # Polish groups thousands only from five digits on (CLDR minimum grouping digits).
    assert render("pl", Money(Decimal("12345.50"), "EUR")).replace("\xa0", " ") == "12 345,50 €"


def test_money_accepts_a_decimal_in_the_shop_currency():
    assert render("en", Decimal("5")) == "€5.00"
    assert render("en", None) == ""
