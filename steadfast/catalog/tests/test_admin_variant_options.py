"""Variant options in the admin are text boxes per option (Colour, Size, …), never a JSON box."""

from decimal import Decimal

import pytest
from django.urls import reverse

from steadfast.catalog.models import Category, Product, Variant

pytestmark = pytest.mark.django_db


@pytest.fixture
def hoodie(db):
    category = Category.objects.create(name="Hoodies", slug="hoodies")
    product = Product.objects.create(category=category, name="Zip Hoodie", slug="zip-hoodie")
    navy_m = Variant.objects.create(product=product, sku="ZH-NAVY-M", options={"colour": "Navy", "size": "M"},
                                    price=Decimal("64.90"), stock=3, position=0)
    grey_l = Variant.objects.create(product=product, sku="ZH-GREY-L", options={"colour": "Grey", "size": "L"},
                                    price=Decimal("64.90"), stock=1, position=1)
    return product, navy_m, grey_l


def url(product):
    return reverse("admin:catalog_product_change", args=[product.pk])


def post_data(product, rows):
    data = {
        "name": product.name, "slug": product.slug, "category": product.category_id, "is_active": "on",
        "description": "", "variants-TOTAL_FORMS": len(rows), "variants-INITIAL_FORMS": len(rows),
        "variants-MIN_NUM_FORMS": 1, "variants-MAX_NUM_FORMS": 1000,
        "images-TOTAL_FORMS": 0, "images-INITIAL_FORMS": 0, "images-MIN_NUM_FORMS": 0, "images-MAX_NUM_FORMS": 1000,
    }
    for i, (variant, fields) in enumerate(rows):
        data.update({f"variants-{i}-id": variant.pk, f"variants-{i}-product": product.pk,
                     f"variants-{i}-sku": variant.sku, f"variants-{i}-price": str(variant.price),
                     f"variants-{i}-stock": variant.stock, f"variants-{i}-is_active": "on",
                     f"variants-{i}-position": variant.position})
        data.update({f"variants-{i}-{name}": value for name, value in fields.items()})
    return data


def test_each_option_is_a_column_with_the_current_values(admin_client, hoodie):
    product, navy_m, _ = hoodie
    html = admin_client.get(url(product)).content.decode()
    assert 'name="variants-0-options"' not in html
    assert "Colour" in html and "Size" in html and "Another option" in html
    assert 'name="variants-0-option_0" value="Navy"' in html and 'name="variants-0-option_1" value="M"' in html


def test_change_a_value_add_an_option_and_clear_one(admin_client, hoodie):
    product, navy_m, grey_l = hoodie
    response = admin_client.post(url(product), post_data(product, [
        (navy_m, {"option_0": "Navy", "option_1": "L", "new_option_name": "Material", "new_option_value": "Wool"}),
        (grey_l, {"option_0": "", "option_1": "L"}),
    ]))
    assert response.status_code == 302, response.content.decode()[:3000]
    navy_m.refresh_from_db()
    grey_l.refresh_from_db()
    assert navy_m.options == {"colour": "Navy", "size": "L", "material": "Wool"}
    assert grey_l.options == {"size": "L"}
    assert 'name="variants-0-option_2" value="Wool"' in admin_client.get(url(product)).content.decode()


def test_a_new_option_needs_a_value_and_nothing_changes_without(admin_client, hoodie):
    product, navy_m, grey_l = hoodie
    response = admin_client.post(url(product), post_data(product, [
        (navy_m, {"option_0": "Black", "option_1": "M", "new_option_name": "material"}),
        (grey_l, {"option_0": "Grey", "option_1": "L"}),
    ]))
    assert response.status_code == 200 and "Give both the option and its value." in response.content.decode()
    navy_m.refresh_from_db()
    assert navy_m.options == {"colour": "Navy", "size": "M"}


def test_stock_sheet_page_edits_options_the_same_way(admin_client, hoodie):
    _, navy_m, _ = hoodie
    page = reverse("admin:catalog_variant_change", args=[navy_m.pk])
    assert 'name="option_1" value="M"' in admin_client.get(page).content.decode()
    response = admin_client.post(page, {"product": navy_m.product_id, "sku": navy_m.sku, "option_0": "Navy",
                                        "option_1": "XL", "price": "66.90", "stock": "3", "is_active": "on",
                                        "position": 0})
    assert response.status_code == 302
    navy_m.refresh_from_db()
    assert navy_m.options == {"colour": "Navy", "size": "XL"}
