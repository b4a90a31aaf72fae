from decimal import Decimal

import pytest

from steadfast.catalog.models import Category, Product, ProductImage, Variant
from steadfast.catalog.services import products_reindex


@pytest.fixture
def shelf(make_variant):
    """Two categories (one nested) and three products with known prices and stock."""
    clothes = Category.objects.create(name="Clothes", slug="clothes")
    shirts = Category.objects.create(name="Shirts", slug="shirts", parent=clothes)
    tools = Category.objects.create(name="Tools", slug="tools", position=1)
    Category.objects.create(name="Hidden", slug="hidden", parent=clothes, is_active=False)
    shelf = {
        "shirt": make_variant(stock=10, price="25.00", name="Linen shirt", category=shirts, options={"size": "L"}),
        "coat": make_variant(stock=0, price="120.00", name="Rain coat", category=clothes),
        "hammer": make_variant(stock=2, price="9.50", name="Claw hammer", category=tools),
    }
    Product.objects.update(description="Sturdy and made to last.")
    products_reindex()  # a queryset update sends no signals: the search terms are refreshed by hand
    return shelf


@pytest.mark.django_db
def test_openapi_schema_lists_every_endpoint(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Steadfast API" and schema["info"]["version"] == "1"
    assert {
        "/api/v1/categories", "/api/v1/products", "/api/v1/products/{slug}", "/api/v1/cart", "/api/v1/cart/items",
        "/api/v1/cart/items/{variant_id}", "/api/v1/checkout/options", "/api/v1/checkout/orders",
        "/api/v1/orders/{token}",
    } <= set(schema["paths"])
    assert "post" in schema["paths"]["/api/v1/checkout/orders"]


@pytest.mark.django_db
def test_docs_page_uses_only_local_assets(client):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui-bundle.js" in html
    assert "http://" not in html and "https://" not in html and "cdn." not in html


@pytest.mark.django_db
def test_category_tree_nests_children_and_hides_inactive(api, shelf):
    tree = api.get("/categories").json()

    clothes = next(node for node in tree if node["slug"] == "clothes")
    assert [child["slug"] for child in clothes["children"]] == ["shirts"]
    assert "shirts" not in [node["slug"] for node in tree]
    assert "hidden" not in str(tree)


@pytest.mark.django_db
def test_product_list_has_prices_as_strings_and_pages(api, shelf, settings):
    body = api.get("/products").json()

    assert body["count"] == 3 and body["page"] == 1 and body["pages"] == 1
    hammer = next(p for p in body["results"] if p["name"] == "Claw hammer")
    assert hammer["price"] == {"amount": "9.50", "currency": "EUR"}
    assert hammer["in_stock"] is True and hammer["category"]["slug"] == "tools"
    assert hammer["url"].startswith(settings.SITE_URL + "/")  # from SITE_URL, never the Host header


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"category": "clothes"}, ["Linen shirt", "Rain coat"]),  # includes the subcategory
        ({"category": "shirts"}, ["Linen shirt"]),
        ({"q": "hammer"}, ["Claw hammer"]),
        ({"min_price": "10", "max_price": "100"}, ["Linen shirt"]),
        ({"in_stock": "true"}, ["Claw hammer", "Linen shirt"]),
        ({"in_stock": "false"}, ["Claw hammer", "Linen shirt", "Rain coat"]),
        ({"sort": "price_asc"}, ["Claw hammer", "Linen shirt", "Rain coat"]),
        ({"sort": "price_desc"}, ["Rain coat", "Linen shirt", "Claw hammer"]),
        ({"q": "TST-0003"}, ["Claw hammer"]),  # a SKU finds its product
        ({"q": "coat shirt"}, []),  # every word must match
        ({"q": "linen", "category": "tools"}, []),
        ({"q": "sturdy", "in_stock": "true", "sort": "price_desc"}, ["Linen shirt", "Claw hammer"]),
    ],
)
def test_product_filters_and_sorting(api, shelf, params, names):
    response = api.get("/products", **params)

    assert response.status_code == 200
    assert [p["name"] for p in response.json()["results"]] == names


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"min_price": "cheap"}, {"sort": "random"}, {"page": "0"}, {"in_stock": "maybe"},
        {"min_price": "9", "max_price": "5"},
    ],
)
def test_bad_filters_are_422_with_a_message(api, shelf, params):
    response = api.get("/products", **params)

    assert response.status_code == 422
    assert list(params)[-1] in response.json()["detail"]


@pytest.mark.django_db
def test_page_past_the_end_gives_the_last_page(api, make_variant):
    for _ in range(26):
        make_variant()

    body = api.get("/products", page=9).json()

    assert (body["count"], body["page"], body["pages"], body["page_size"]) == (26, 2, 2, 24)
    assert len(body["results"]) == 2


@pytest.mark.django_db
def test_unknown_category_is_404(api, shelf):
    response = api.get("/products", category="nope")

    assert response.status_code == 404 and response.json()["detail"]


@pytest.mark.django_db
def test_product_detail_shows_variants_with_options_price_and_stock_state(api, shelf, make_variant, settings):
    settings.SHOP_LOW_STOCK = 3
    shirt = shelf["shirt"]
    shirt.pk, shirt.sku, shirt.options, shirt.stock, shirt.price = None, "SHIRT-S", {"size": "S"}, 2, Decimal("24.00")
    shirt.save()
    gone = make_variant(stock=0)
    gone.pk, gone.product, gone.sku, gone.options = None, shirt.product, "SHIRT-XL", {"size": "XL"}
    gone.save()
    ProductImage.objects.create(product=shirt.product, image="products/shirt.jpg", alt="A linen shirt")

    body = api.get("/products/test-product-1").json()

    assert body["name"] == "Linen shirt" and body["category"] == {"slug": "shirts", "name": "Shirts"}
    states = {v["sku"]: (v["options"], v["price"]["amount"], v["stock"], v["left"]) for v in body["variants"]}
    assert states == {
        "TST-0001": ({"size": "L"}, "25.00", "in_stock", None),
        "SHIRT-S": ({"size": "S"}, "24.00", "low_stock", 2),
        "SHIRT-XL": ({"size": "XL"}, "19.90", "out_of_stock", None),
    }
    assert body["images"] == [{"url": settings.SITE_URL + "/media/products/shirt.jpg", "alt": "A linen shirt"}]


@pytest.mark.django_db
def test_unknown_or_inactive_product_is_404_json(api, shelf):
    product = shelf["hammer"].product
    product.is_active = False
    product.save()

    for slug in ("no-such-thing", product.slug):
        response = api.get(f"/products/{slug}")
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/json")


@pytest.mark.django_db
def test_product_detail_shows_each_variants_packed_weight_and_size(api, shelf, settings):
    settings.SHIPPING_DEFAULT_PARCEL_GRAMS = 1000
    shirt = shelf["shirt"]
    Product.objects.filter(pk=shirt.product_id).update(weight_grams=250, length_cm=30, width_cm=22, height_cm=3)
    big = Variant.objects.create(product=shirt.product, sku="SHIRT-XXL", price=Decimal("27.00"), stock=4,
                                 options={"size": "XXL"}, weight_grams=320, length_cm=34, width_cm=25, height_cm=4)

    body = api.get(f"/products/{shirt.product.slug}").json()

    packed = {v["sku"]: (v["weight_grams"], v["size"]) for v in body["variants"]}
    assert packed == {
        shirt.sku: (250, {"length_cm": 30, "width_cm": 22, "height_cm": 3}),  # the product's
        big.sku: (320, {"length_cm": 34, "width_cm": 25, "height_cm": 4}),  # its own
    }
    hammer = api.get(f"/products/{shelf['hammer'].product.slug}").json()["variants"][0]
    assert (hammer["weight_grams"], hammer["size"]) == (1000, None), "nothing entered: the shop's default weight"
