from decimal import Decimal

import pytest

from steadfast.catalog import selectors
from steadfast.catalog.models import Category, Product, ProductImage, Variant


def product(category, name, price, stock=5, description="", sku=None, active=True):
    item = Product.objects.create(
        category=category, name=name, slug=name.lower().replace(" ", "-"), description=description, is_active=active
    )
    Variant.objects.create(product=item, sku=sku or f"SKU-{item.slug}".upper(), price=Decimal(price), stock=stock)
    item.refresh_summary()
    return item


@pytest.fixture
def shop(db):
    outdoor = Category.objects.create(name="Outdoor", slug="outdoor", position=1)
    tents = Category.objects.create(name="Tents", slug="tents", parent=outdoor)
    kitchen = Category.objects.create(name="Kitchen", slug="kitchen", position=2)
    hidden = Category.objects.create(name="Hidden", slug="hidden", is_active=False)
    hidden_child = Category.objects.create(name="Under hidden", slug="under-hidden", parent=hidden)
    items = {
        "lantern": product(outdoor, "Lantern", "25.00", description="Bright LED light for the campsite"),
        "tent": product(tents, "Dome Tent", "199.00", sku="TENT-2P-GRN"),
        "tarp": product(tents, "Tarp", "39.50", stock=0),
        "kettle": product(kitchen, "Kettle", "45.00", description="Whistling steel kettle"),
        "secret": product(hidden_child, "Secret Lamp", "10.00"),
        "retired": product(outdoor, "Old Lantern", "5.00", active=False),
    }
    return items


def names(qs):
    return [p.name for p in qs]


def test_category_tree_hides_inactive_branches(shop):
    tree = selectors.category_tree()
    assert [c.slug for c in tree.roots()] == ["outdoor", "kitchen"]
    assert tree.get("hidden") is None and tree.get("under-hidden") is None
    outdoor = tree.get("outdoor")
    assert [c.slug for c in tree.children_of(outdoor)] == ["tents"]
    assert [c.slug for c in tree.ancestors(tree.get("tents"))] == ["outdoor"]


def test_category_listing_includes_subcategories_and_hides_inactive(shop):
    tree = selectors.category_tree()
    assert names(selectors.products_list(tree, category=tree.get("outdoor"))) == ["Dome Tent", "Lantern", "Tarp"]
    assert names(selectors.products_list(tree, category=tree.get("tents"))) == ["Dome Tent", "Tarp"]
    # Everything visible: not the inactive product, not the one under an inactive category.
    assert names(selectors.products_list(tree)) == ["Dome Tent", "Kettle", "Lantern", "Tarp"]


def test_price_and_stock_filters(shop):
    tree = selectors.category_tree()
    assert names(selectors.products_list(tree, min_price=Decimal("30"), max_price=Decimal("199"))) == [
        "Dome Tent",
        "Kettle",
        "Tarp",
    ]
    assert names(selectors.products_list(tree, max_price=Decimal("39.50"))) == ["Lantern", "Tarp"]
    assert names(selectors.products_list(tree, in_stock=True)) == ["Dome Tent", "Kettle", "Lantern"]


def test_sorting(shop):
    tree = selectors.category_tree()
    assert names(selectors.products_list(tree, sort="price_asc")) == ["Lantern", "Tarp", "Kettle", "Dome Tent"]
    assert names(selectors.products_list(tree, sort="price_desc")) == ["Dome Tent", "Kettle", "Tarp", "Lantern"]
    newest_first = names(selectors.products_list(tree, sort="newest"))
    assert newest_first == ["Kettle", "Tarp", "Dome Tent", "Lantern"]
    # An unknown sort key falls back to name order instead of failing.
    assert names(selectors.products_list(tree, sort="bogus")) == ["Dome Tent", "Kettle", "Lantern", "Tarp"]


def test_pagination_twelve_per_page(db):
    category = Category.objects.create(name="Bulk", slug="bulk")
    for n in range(30):
        product(category, f"Item {n:02d}", "1.00")
    tree = selectors.category_tree()
    qs = selectors.products_list(tree, category=tree.get("bulk"))
    first = selectors.products_paginate(qs, "1")
    assert len(first.object_list) == 12 and first.paginator.num_pages == 3
    assert names(selectors.products_paginate(qs, "3").object_list) == [f"Item {n:02d}" for n in range(24, 30)]
    # Bad page numbers give a page rather than an error.
    assert selectors.products_paginate(qs, "abc").number == 1
    assert selectors.products_paginate(qs, "99").number == 3


@pytest.mark.parametrize(
    "text, expected",
    [
        ("lantern", ["Lantern"]),
        ("LANTERN", ["Lantern"]),
        ("campsite", ["Lantern"]),  # a word from the description
        ("steel kettle", ["Kettle"]),  # every word must match
        ("kett", ["Kettle"]),  # a word prefix
        ("TENT-2P-GRN", ["Dome Tent"]),  # a variant SKU
        ("tent", ["Dome Tent", "Tarp"]),  # the name first, then the category "Tents"
        ("tents", ["Dome Tent", "Tarp"]),
        ("kettles", ["Kettle"]),  # a plural
        ("outdoor", ["Dome Tent", "Lantern", "Tarp"]),  # a parent category's name
        ("secret", []),  # under an inactive category
        ("old", []),  # inactive product
        ("zebra", []),
        ("  ", []),
        ("'; drop table --", []),
        ("_ & | ! :*", []),  # tsquery operators are never passed through
        ("ёлка", []),
    ],
)
def test_search(shop, text, expected):
    # Runs on SQLite and on PostgreSQL alike (CI runs both): the same stems, the same query.
    tree = selectors.category_tree()
    assert names(selectors.products_search(tree, text)) == expected


def test_search_ranks_name_matches_first_on_postgres_and_by_name_elsewhere(shop):
    tree = selectors.category_tree()
    category = Category.objects.get(slug="kitchen")
    product(category, "Camp Mug", "9.00", description="For the campsite kettle")
    found = names(selectors.products_search(tree, "kettle"))
    assert found == ["Kettle", "Camp Mug"]


def test_listing_prefetches_only_the_first_image(shop, django_assert_num_queries):
    lantern = shop["lantern"]
    ProductImage.objects.create(product=lantern, image="products/b.png", position=2)
    ProductImage.objects.create(product=lantern, image="products/a.png", position=1)
    tree = selectors.category_tree()
    with django_assert_num_queries(2):
        items = list(selectors.products_list(tree))
        firsts = {p.name: [i.image.name for i in p.first_images] for p in items}
    assert firsts["Lantern"] == ["products/a.png"]
    assert firsts["Kettle"] == []
