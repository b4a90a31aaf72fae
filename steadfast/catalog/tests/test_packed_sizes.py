"""Packed sizes (cm) in the admin: saved on the product and the variant; a bad size is refused with a clear message
and changes nothing."""

import pytest
from django.urls import reverse

from steadfast.catalog.models import Product, Variant
from steadfast.catalog.tests.test_admin_catalog import product_form


def _product_page_errors(response) -> str:
    if response.context is None:
        return ""
    admin_form = response.context["adminform"].form
    inlines = [form.errors for formset in response.context["inline_admin_formsets"] for form in formset.formset]
    return f"{admin_form.errors} {inlines}"


@pytest.mark.django_db
def test_the_product_page_saves_the_product_and_variant_sizes(admin_client, make_variant):
    variant = make_variant()
    product = variant.product
    url = reverse("admin:catalog_product_change", args=[product.pk])
    response = admin_client.post(url, product_form(product, [variant], weight_grams="700", length_cm="35",
                                                   width_cm="28", height_cm="8", **{
                                                       "variants-0-length_cm": "40", "variants-0-width_cm": "30",
                                                       "variants-0-height_cm": "12"}))

    assert response.status_code == 302, _product_page_errors(response)
    product.refresh_from_db()
    assert (product.length_cm, product.width_cm, product.height_cm) == (35, 28, 8)
    assert Variant.objects.get(pk=variant.pk).unit_sides_cm == (40, 30, 12)
    page = admin_client.get(url).content.decode()
    assert 'name="length_cm" value="35"' in page and 'name="variants-0-height_cm" value="12"' in page


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "value", "message"), [
    ("length_cm", "-5", "A side is at least 1 cm."),
    ("width_cm", "0", "A side is at least 1 cm."),
    ("height_cm", "4500", "Over 300 cm is not a parcel: give the size in centimetres."),
    ("height_cm", "", "Give all three sides, or none."),
    ("length_cm", "ten", "Enter a whole number."),
])
def test_a_bad_product_size_is_refused_and_nothing_changes(admin_client, make_variant, field, value, message):
    variant = make_variant()
    product = variant.product
    sizes = {"length_cm": "35", "width_cm": "28", "height_cm": "8", field: value}
    url = reverse("admin:catalog_product_change", args=[product.pk])
    response = admin_client.post(url, product_form(product, [variant], **sizes))

    assert response.status_code == 200, "a bad size must not be saved"
    errors = response.context["adminform"].form.errors
    assert message in errors.get(field, []), f"expected {message!r} on {field}, saw {errors}"
    assert Product.objects.filter(pk=product.pk, length_cm=None, width_cm=None, height_cm=None).exists()


@pytest.mark.django_db
def test_a_bad_variant_size_is_refused_on_the_stock_sheet(admin_client, make_variant):
    variant = make_variant()
    url = reverse("admin:catalog_variant_change", args=[variant.pk])
    response = admin_client.post(url, {"product": variant.product_id, "sku": variant.sku, "option_1": "M",
                                       "price": "19.90", "stock": "5", "is_active": "on", "position": 0,
                                       "length_cm": "30", "width_cm": "-2", "height_cm": "4"})

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors.get("width_cm") == ["A side is at least 1 cm."], errors
    assert Variant.objects.get(pk=variant.pk).unit_sides_cm is None
