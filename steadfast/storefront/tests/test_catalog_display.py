"""Catalog display: the picture follows the chosen colour, the cart shows thumbnails, the breadcrumb root is the
shop (a category named "Home" does not read "Home › Home")."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from steadfast.catalog.demo_images import product_picture
from steadfast.catalog.models import Category, Product, ProductImage, Variant

SHOTS = Path(django_settings.BASE_DIR) / "var" / "shots"


@pytest.fixture
def shirt(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.SERVE_MEDIA = True
    home = Category.objects.create(name="Home", slug="home")
    product = Product.objects.create(category=home, name="Harbour Tee", slug="harbour-tee")
    pictures = {}
    for position, colour in enumerate(["Navy", "Rust"]):
        image = ProductImage(product=product, alt=f"Harbour Tee — {colour}", position=position)
        image.image.save(f"tee-{colour.lower()}.jpg", ContentFile(product_picture("tshirt", "Harbour Tee", colour)))
        pictures[colour] = image
    for position, colour in enumerate(["Navy", "Rust"]):
        for size in ("M", "L"):
            Variant.objects.create(product=product, sku=f"HT-{colour[:3].upper()}-{size}", price=Decimal("24.00"),
                                   stock=5, options={"colour": colour, "size": size}, position=position,
                                   image=pictures[colour])
    product.refresh_summary()
    return product, pictures


def breadcrumb(html):
    nav = re.search(r'<nav class="breadcrumbs".*?</nav>', html, re.S).group(0)
    return [re.sub(r"<[^>]+>|\s+", " ", li).strip() for li in re.findall(r"<li[^>]*>(.*?)</li>", nav, re.S)]


def test_breadcrumb_root_is_the_shop_not_a_category_name(client, shirt, settings):
    assert breadcrumb(client.get("/p/harbour-tee/").content.decode()) == [settings.SHOP_NAME, "Home", "Harbour Tee"]
    assert breadcrumb(client.get("/c/home/").content.decode()) == [settings.SHOP_NAME, "Home"]


def test_cart_shows_the_chosen_variants_photo(client, shirt):
    product, pictures = shirt
    rust = Variant.objects.get(sku="HT-RUS-L")
    client.post("/cart/add/", {"variant": rust.pk, "quantity": 1})
    html = client.get("/cart/").content.decode()
    row = re.search(r'<td class="line-product">.*?</td>', html, re.S).group(0)
    assert f'src="{pictures["Rust"].image.url}"' in row and pictures["Navy"].image.url not in row


def test_cart_falls_back_to_the_product_photo_then_a_placeholder(client, shirt, make_variant):
    product, pictures = shirt
    Variant.objects.filter(sku="HT-NAV-M").update(image=None)
    bare = make_variant(name="Plain mug")
    client.post("/cart/add/", {"variant": Variant.objects.get(sku="HT-NAV-M").pk, "quantity": 1})
    client.post("/cart/add/", {"variant": bare.pk, "quantity": 1})
    rows = re.findall(r'<td class="line-product">.*?</td>', client.get("/cart/").content.decode(), re.S)
    tee = next(r for r in rows if "Harbour Tee" in r)
    mug = next(r for r in rows if "Plain mug" in r)
    assert f'src="{pictures["Navy"].image.url}"' in tee and 'class="placeholder"' in mug


def test_a_variant_photo_must_belong_to_its_product(shirt, make_variant):
    product, pictures = shirt
    other = make_variant(name="Other")
    other.image = pictures["Rust"]
    with pytest.raises(ValidationError, match="this product's own photos"):
        other.full_clean()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_product_picture_follows_the_chosen_colour_then_the_cart_shows_it(page, shirt):
    product, pictures = shirt
    page.goto("/p/harbour-tee/")
    main = page.locator("[data-gallery-main]")
    assert main.get_attribute("src") == pictures["Navy"].image.url
    page.get_by_role("radio", name=re.compile("L")).nth(1).check(force=True)  # Colour: Rust -> L
    page.wait_for_function("document.querySelector('[data-gallery-main]').getAttribute('src').includes('rust')")
    assert main.get_attribute("src") == pictures["Rust"].image.url
    assert main.get_attribute("alt") == "Harbour Tee — Rust"
    assert main.evaluate("img => img.complete && img.naturalWidth") == 800  # the file is served, not a broken image
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "product-colour-rust.png")
    page.get_by_role("button", name=re.compile("Add to cart")).click()
    page.goto("/cart/")
    thumb = page.locator(".line-thumb img")
    assert thumb.get_attribute("src") == pictures["Rust"].image.url
    assert thumb.evaluate("img => img.complete && img.naturalWidth") == 800
    page.screenshot(path=SHOTS / "cart-thumbnails.png")
