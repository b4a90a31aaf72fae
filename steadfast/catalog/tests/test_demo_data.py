from io import StringIO

import pytest
from django.core.management import call_command
from PIL import Image

from steadfast.catalog.demo_images import product_picture
from steadfast.catalog.models import Category, Product, ProductImage, Variant


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def load():
    out = StringIO()
    call_command("demo_data", stdout=out)
    return out.getvalue()


def counts():
    return tuple(model.objects.count() for model in (Category, Product, Variant, ProductImage))


def test_demo_catalog_has_a_category_tree_of_products_with_variants_and_pictures(db, media):
    load()
    products = list(Product.objects.select_related("category__parent").prefetch_related("variants", "images"))
    assert len(products) >= 30
    assert {"Clothing", "Shoes", "Accessories", "Home"} <= set(
        Category.objects.filter(parent=None).values_list("name", flat=True)
    )
    for product in products:
        assert product.category.parent is not None, product.name
        assert len(product.description) > 40, product.name
        variants = list(product.variants.all())
        assert variants, product.name
        assert product.min_price == min(v.price for v in variants)
        assert product.in_stock == any(v.stock > 0 for v in variants)
        images = list(product.images.all())
        colours = {v.options.get("colour") for v in variants} - {None}
        assert len(images) == max(1, len(colours)), product.name  # one picture per colour
        for image in images:
            with Image.open(media / image.image.name) as picture:
                assert (picture.format, picture.size) == ("JPEG", (800, 800))
        if len(colours) > 1:  # every colour's variants show their own picture
            for variant in variants:
                assert variant.image.alt.endswith(variant.options["colour"]) or variant.image == images[0], variant
            assert len({v.image_id for v in variants}) == len(colours), product.name


def test_demo_catalog_has_sold_out_and_low_stock_variants(db, media, settings):
    load()
    assert Variant.objects.filter(stock=0).count() >= 3
    assert Variant.objects.filter(stock__gte=1, stock__lte=settings.SHOP_LOW_STOCK).count() >= 3
    assert Product.objects.filter(in_stock=False).exists()
    assert Product.objects.filter(in_stock=True).count() >= 30
    tee = Variant.objects.get(sku="SF001-NAV-M")
    assert tee.options == {"colour": "Navy", "size": "M"}
    assert str(tee.price) == "19.90"
    assert str(Variant.objects.get(sku="SF001-NAV-XL").price) == "21.90"


def test_running_twice_keeps_data_and_does_not_duplicate(db, media):
    load()
    first = counts()
    files = sorted(p.name for p in (media / "products").iterdir())
    # Someone bought from the demo shop in between: the second run must not put the stock back.
    variant = Variant.objects.get(sku="SF001-NAV-M")
    variant.stock = 0
    variant.save()

    output = load()

    assert counts() == first
    assert sorted(p.name for p in (media / "products").iterdir()) == files
    assert Variant.objects.get(sku="SF001-NAV-M").stock == 0
    assert "0 new" in output


def test_a_lost_picture_is_drawn_again_under_the_same_name(db, media):
    load()
    tote = ProductImage.objects.filter(product__slug="canvas-tote")
    count, image = tote.count(), tote.order_by("position", "pk").first()
    path = media / image.image.name
    path.unlink()

    load()

    assert tote.count() == count
    assert tote.order_by("position", "pk").first().image.name == image.image.name
    assert path.is_file()


def test_pictures_are_the_same_on_every_run():
    assert product_picture("mug", "Enamel Camp Mug", "Blue") == product_picture("mug", "Enamel Camp Mug", "Blue")
    assert product_picture("mug", "Enamel Camp Mug", "Blue") != product_picture("mug", "Enamel Camp Mug", "Green")


def test_every_demo_product_has_a_weight_and_a_plausible_packed_size(db, media):
    load()
    Product.objects.filter(slug__in=list(Product.objects.values_list("slug", flat=True)[:3])).update(
        length_cm=None, width_cm=None, height_cm=None)  # as loaded before sizes existed
    load()

    for product in Product.objects.all():
        sides = (product.length_cm, product.width_cm, product.height_cm)
        assert product.weight_grams and all(sides), f"{product.name}: {product.weight_grams} g, {sides} cm"
        assert all(1 <= side <= 70 for side in sides), f"{product.name}: {sides} cm is not a parcel for one item"
