import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from steadfast.catalog.models import Category, Product, ProductImage, Variant


class FormControls(HTMLParser):
    """Collects inputs/selects/textareas and the ids that a <label for> points at."""

    def __init__(self):
        super().__init__()
        self.controls, self.label_for, self.label_depth, self.html_lang = [], set(), 0, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.html_lang = attrs.get("lang")
        if tag == "label":
            self.label_depth += 1
            if attrs.get("for"):
                self.label_for.add(attrs["for"])
        if tag in ("input", "select", "textarea") and attrs.get("type") not in ("hidden", "submit"):
            self.controls.append((attrs, self.label_depth > 0))

    def handle_endtag(self, tag):
        if tag == "label":
            self.label_depth -= 1

    def unlabelled(self):
        return [
            a
            for a, wrapped in self.controls
            if not wrapped and a.get("id") not in self.label_for and not a.get("aria-label")
        ]


def parse(response):
    parser = FormControls()
    parser.feed(response.content.decode())
    return parser


@pytest.fixture
def catalog(db):
    gear = Category.objects.create(name="Camping gear", slug="camping", description="Sleep well outside.")
    stoves = Category.objects.create(name="Stoves", slug="stoves", parent=gear)
    jacket = Product.objects.create(
        category=gear, name="Rain Jacket", slug="rain-jacket", description="Keeps you dry.\n\nSeam-sealed."
    )
    Variant.objects.create(
        product=jacket, sku="RJ-S-BLU", options={"colour": "Blue", "size": "S"}, price=Decimal("89.00"), stock=10
    )
    Variant.objects.create(
        product=jacket, sku="RJ-M-BLU", options={"colour": "Blue", "size": "M"}, price=Decimal("89.00"), stock=2
    )
    Variant.objects.create(
        product=jacket, sku="RJ-M-RED", options={"colour": "Red", "size": "M"}, price=Decimal("95.00"), stock=0
    )
    jacket.refresh_summary()
    stove = Product.objects.create(category=stoves, name="Gas Stove", slug="gas-stove")
    Variant.objects.create(product=stove, sku="GS-1", price=Decimal("35.00"), stock=0)
    stove.refresh_summary()
    return {"gear": gear, "stoves": stoves, "jacket": jacket, "stove": stove}


def test_home_shows_categories_and_new_arrivals(client, catalog):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="/c/camping/"' in html
    assert "Rain Jacket" in html and "Gas Stove" in html
    assert "Out of stock" in html  # the stove card badge


def test_category_page_lists_subcategory_products_with_from_price(client, catalog):
    response = client.get("/c/camping/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Camping gear</h1>" in html
    assert 'href="/c/stoves/"' in html  # subcategory link
    assert "Rain Jacket" in html and "Gas Stove" in html
    assert re.search(r'price-from">from</span>\s*€89\.00', html)  # jacket has 89 and 95 variants
    assert "2 products" in html


def test_category_filters_apply_and_bad_values_are_reported(client, catalog):
    html = client.get("/c/camping/", {"in_stock": "on"}).content.decode()
    assert "Rain Jacket" in html and "Gas Stove" not in html
    html = client.get("/c/camping/", {"min_price": "50", "sort": "price_desc"}).content.decode()
    assert "Rain Jacket" in html and "Gas Stove" not in html
    response = client.get("/c/camping/", {"min_price": "cheap", "max_price": "40"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Some filters could not be applied" in html
    # The bad minimum is ignored, the good maximum still applies.
    assert "Gas Stove" in html and "Rain Jacket" not in html
    html = client.get("/c/camping/", {"min_price": "100", "max_price": "10"}).content.decode()
    assert "must not be lower than the minimum" in html


def test_category_pagination_keeps_filters(client, db):
    category = Category.objects.create(name="Bulk", slug="bulk")
    for n in range(14):
        item = Product.objects.create(category=category, name=f"Thing {n:02d}", slug=f"thing-{n}")
        Variant.objects.create(product=item, sku=f"T{n}", price=Decimal("5.00"), stock=1)
        item.refresh_summary()
    html = client.get("/c/bulk/", {"in_stock": "on"}).content.decode()
    assert html.count('class="product-card') == 12
    assert 'href="?in_stock=on&amp;page=2"' in html
    html = client.get("/c/bulk/", {"in_stock": "on", "page": "2"}).content.decode()
    assert html.count('class="product-card') == 2 and "Thing 13" in html


def test_product_page_variant_picker_and_stock_labels(client, catalog, settings):
    settings.SHOP_LOW_STOCK = 3
    response = client.get("/p/rain-jacket/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Rain Jacket</h1>" in html
    assert "<legend>Colour: Blue</legend>" in html and "<legend>Colour: Red</legend>" in html
    variants = {v.sku: v.pk for v in Variant.objects.all()}
    # Every variant is a radio named "variant"; the sold-out one cannot be chosen; the first in stock is chosen.
    assert re.search(rf'name="variant" value="{variants["RJ-S-BLU"]}" required checked', html)
    assert re.search(rf'name="variant" value="{variants["RJ-M-RED"]}" required disabled', html)
    assert "In stock" in html and "Only 2 left" in html and "Out of stock" in html
    assert f'action="{reverse("cart:add")}"' in html and 'name="quantity"' in html
    assert "€95.00" in html  # prices differ, so each choice shows its own
    assert "<p>Keeps you dry.</p>" in html


def test_product_page_adds_to_cart_without_javascript(client, catalog):
    variant = Variant.objects.get(sku="RJ-M-BLU")
    response = client.post(reverse("cart:add"), {"variant": variant.pk, "quantity": "1"})
    assert response.status_code == 302
    html = client.get("/p/rain-jacket/").content.decode()
    assert 'class="cart-count"' in html and ">1</span>" in html


def test_sold_out_product_has_no_add_button(client, catalog):
    html = client.get("/p/gas-stove/").content.decode()
    assert "Out of stock" in html and "Sold out for now" in html
    assert "Add to cart" not in html


def test_product_image_or_placeholder(client, catalog):
    html = client.get("/p/gas-stove/").content.decode()
    assert 'class="placeholder"' in html and "No photo yet" in html
    ProductImage.objects.create(product=catalog["stove"], image="products/stove.jpg", alt="A blue stove")
    html = client.get("/p/gas-stove/").content.decode()
    assert 'src="/media/products/stove.jpg" alt="A blue stove"' in html


@pytest.mark.parametrize("url", ["/c/nope/", "/p/nope/"])
def test_unknown_slug_gives_friendly_404(client, catalog, url):
    response = client.get(url)
    assert response.status_code == 404
    html = response.content.decode()
    assert "We couldn’t find that page" in html
    assert 'action="/search/"' in html


def test_inactive_product_and_category_give_404(client, catalog):
    Product.objects.filter(slug="rain-jacket").update(is_active=False)
    Category.objects.filter(slug="camping").update(is_active=False)
    assert client.get("/p/rain-jacket/").status_code == 404
    assert client.get("/c/camping/").status_code == 404
    # The stove's own category is active but its parent is not: hidden too.
    assert client.get("/c/stoves/").status_code == 404
    assert client.get("/p/gas-stove/").status_code == 404


def test_search_page(client, catalog):
    html = client.get("/search/", {"q": "jacket"}).content.decode()
    assert "Rain Jacket" in html and "Gas Stove" not in html and "1 product found" in html
    assert 'value="jacket"' in html  # the search box keeps the words
    html = client.get("/search/", {"q": "nothing-like-this"}).content.decode()
    assert "Nothing matched your search." in html
    html = client.get("/search/", {"q": ""}).content.decode()
    assert "Type a product name" in html


@pytest.mark.parametrize("url", ["/", "/c/camping/", "/p/rain-jacket/", "/search/?q=jacket", "/c/nope/"])
def test_pages_have_lang_and_labelled_inputs(client, catalog, url):
    response = client.get(url)
    parser = parse(response)
    assert parser.html_lang == "en"
    assert parser.controls, "expected the search box at least"
    assert parser.unlabelled() == []
    html = response.content.decode()
    assert 'href="#main"' in html and 'id="main"' in html  # skip link


def test_language_switcher_posts_to_set_language(client, catalog):
    html = client.get("/").content.decode()
    assert 'action="/i18n/setlang/"' in html
    for code in ("en", "pl", "ru"):
        assert f'<option value="{code}"' in html
    client.post("/i18n/setlang/", {"language": "pl", "next": "/"})
    assert parse(client.get("/")).html_lang == "pl"


def test_header_account_links_for_guests(client, catalog):
    html = client.get("/").content.decode()
    assert f'href="{reverse("accounts:login")}"' in html
    assert f'href="{reverse("cart:detail")}"' in html


def test_rate_limited_page(rf, db):
    from django_ratelimit.exceptions import Ratelimited

    from steadfast.storefront.views import rate_limited

    request = rf.get("/")
    request.session = {}
    response = rate_limited(request, Ratelimited())
    assert response.status_code == 429
    assert "Please slow down a little" in response.content.decode()


def test_server_error_page_needs_no_database(rf, settings):
    # No db fixture: pytest-django makes any query in here raise, so the page provably renders without one.
    from steadfast.storefront.views import server_error

    settings.SHOP_PHONE = "+1 555 0100"
    response = server_error(rf.get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in html and '<html lang="en">' in html
    assert 'href="tel:+15550100"' in html  # a way to order while the site is broken
