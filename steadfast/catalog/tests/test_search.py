"""Search by stems: plurals, category names, Polish and Russian endings; the demo catalog's own words."""

import pytest
from django.utils.text import slugify

from steadfast.catalog import selectors
from steadfast.catalog.demo import CATALOG
from steadfast.catalog.models import Category, Product, Variant
from steadfast.catalog.search import document, word_stems


@pytest.mark.parametrize(
    "one, other",
    [
        ("hoodie", "hoodies"), ("mug", "mugs"), ("hoody", "hoodies"), ("box", "boxes"), ("knife", "knives"),
        ("glass", "glasses"), ("koszulka", "koszulki"), ("kurtka", "kurtkami"),
        ("кружка", "кружки"), ("футболка", "футболками"), ("ёлка", "елки"),
    ],
)
def test_singular_and_plural_share_a_stem(one, other):
    assert word_stems(one) & word_stems(other), (one, word_stems(one), other, word_stems(other))


def test_document_keeps_hyphenated_words_apart_and_joined():
    assert {"t", "shirt", "tshirt"} <= set(document("T-shirts").split())
    assert document("T-shirts").startswith(" ") and document("T-shirts").endswith(" ")
    assert document("") == ""


@pytest.fixture
def demo_catalog(db):
    """The demo catalog's categories and products as `demo_data` makes them, without the pictures (slow)."""
    for parent_name, children in CATALOG:
        parent = Category.objects.create(name=parent_name, slug=slugify(parent_name))
        for name, _kind, items in children:
            category = Category.objects.create(name=name, slug=slugify(name), parent=parent)
            for item in items:
                product = Product.objects.create(category=category, name=item.name, slug=item.slug,
                                                 description=item.description)
                Variant.objects.create(product=product, sku=f"DEMO-{product.pk}", price=item.price, stock=3)


def names(qs):
    return {p.name for p in qs}


def category_products(slug):
    return {p.name for p in Product.objects.filter(category__slug=slug)}


@pytest.mark.parametrize(
    "text, slug",
    [("hoodies", "hoodies"), ("hoodie", "hoodies"), ("mugs", "mugs"), ("mug", "mugs"), ("t-shirt", "t-shirts"),
     ("t-shirts", "t-shirts"), ("tshirt", "t-shirts"), ("jackets", "jackets"), ("posters", "posters")],
)
def test_demo_words_find_the_products_of_their_category(demo_catalog, text, slug):
    found = names(selectors.products_search(selectors.category_tree(), text))
    wanted = category_products(slug)
    assert wanted and wanted <= found, f"search {text!r}: wanted {sorted(wanted)}, got {sorted(found)}"


def test_shirt_finds_every_t_shirt_and_nothing_from_other_categories(demo_catalog):
    found = names(selectors.products_search(selectors.category_tree(), "shirt"))
    assert found == category_products("t-shirts")


def test_renaming_a_category_renames_what_finds_its_products(db):
    category = Category.objects.create(name="Kubki", slug="kubki")
    product = Product.objects.create(category=category, name="Enamel", slug="enamel")
    Variant.objects.create(product=product, sku="EN-1", price="5.00", stock=1)
    tree = selectors.category_tree
    assert names(selectors.products_search(tree(), "kubek kubki")) == set()  # every word must match
    assert names(selectors.products_search(tree(), "kubkami")) == {"Enamel"}
    category.name = "Кружки"
    category.save()
    assert names(selectors.products_search(tree(), "kubki")) == set()
    assert names(selectors.products_search(tree(), "кружка")) == {"Enamel"}
    assert names(selectors.products_search(tree(), "КРУЖКАМИ")) == {"Enamel"}


def test_product_edit_updates_its_terms(db):
    category = Category.objects.create(name="Misc", slug="misc")
    product = Product.objects.create(category=category, name="Lamp", slug="lamp")
    Variant.objects.create(product=product, sku="L-1", price="5.00", stock=1)
    product.name = "Candle"
    product.save()
    assert names(selectors.products_search(selectors.category_tree(), "candles")) == {"Candle"}
    assert names(selectors.products_search(selectors.category_tree(), "lamps")) == set()
