from decimal import Decimal

import pytest
from django.urls import reverse

from steadfast.catalog.models import Product, Variant

LIST = reverse("admin:catalog_product_changelist")


def product_form(product, variants, **changes):
    """The POST the product page sends: product fields plus the variants and images inline formsets."""
    data = {
        "name": product.name, "slug": product.slug, "category": product.category_id, "is_active": "on",
        "description": product.description,
        "variants-TOTAL_FORMS": len(variants), "variants-INITIAL_FORMS": len(variants),
        "variants-MIN_NUM_FORMS": 1, "variants-MAX_NUM_FORMS": 1000,
        "images-TOTAL_FORMS": 0, "images-INITIAL_FORMS": 0, "images-MIN_NUM_FORMS": 0, "images-MAX_NUM_FORMS": 1000,
    }
    for i, variant in enumerate(variants):
        data.update({
            f"variants-{i}-id": variant.pk, f"variants-{i}-product": product.pk, f"variants-{i}-sku": variant.sku,
            f"variants-{i}-option_1": "M", f"variants-{i}-price": str(variant.price),
            f"variants-{i}-stock": variant.stock, f"variants-{i}-is_active": "on", f"variants-{i}-position": 0,
        })
    data.update(changes)
    return data


@pytest.mark.django_db
def test_saving_a_product_with_new_variant_prices_refreshes_the_from_price(admin_client, make_variant):
    variant = make_variant(stock=0, price="19.90")
    product = variant.product
    assert product.min_price == Decimal("19.90") and not product.in_stock
    url = reverse("admin:catalog_product_change", args=[product.pk])
    response = admin_client.post(url, product_form(product, [variant], **{"variants-0-price": "14.50",
                                                                          "variants-0-stock": "4"}))
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    product.refresh_from_db()
    assert product.min_price == Decimal("14.50") and product.in_stock
    assert Variant.objects.get(pk=variant.pk).stock == 4


@pytest.mark.django_db
def test_product_list_shows_price_stock_and_variant_count(admin_client, make_variant):
    variant = make_variant(stock=7, price="12.00", name="Canvas tote")
    Variant.objects.create(product=variant.product, sku="TOTE-L", price=Decimal("15.00"), stock=2,
                           options={"size": "L"})
    html = admin_client.get(LIST).content.decode()
    row = html[html.index("Canvas tote"):]
    row = row[:row.index("</tr>")]
    assert "€12.00" in row
    assert '<td class="field-total_stock">9</td>' in row
    assert '<td class="field-variant_count">2</td>' in row


@pytest.mark.django_db
def test_search_by_sku_and_low_stock_filter(admin_client, make_variant, settings):
    settings.SHOP_LOW_STOCK = 3
    low = make_variant(stock=2, name="Enamel mug")
    Variant.objects.create(product=low.product, sku="MUG-XL", price=Decimal("9.00"), stock=50)
    plenty = make_variant(stock=40, name="Linen shirt")

    found = admin_client.get(LIST, {"q": plenty.sku}).context["cl"].result_list
    assert list(found) == [plenty.product]
    # A SKU search must not multiply the stock sums of the product found.
    found = admin_client.get(LIST, {"q": "MUG"}).context["cl"].result_list
    assert [p.stock_total for p in found] == [52]

    low_list = admin_client.get(LIST, {"stock": "low"}).context["cl"].result_list
    assert list(low_list) == [low.product]


@pytest.mark.django_db
def test_category_slug_is_prepopulated_and_editable(admin_client):
    html = admin_client.get(reverse("admin:catalog_category_add")).content.decode()
    assert "prepopulated" in html and 'name="slug"' in html
    response = admin_client.post(reverse("admin:catalog_category_add"),
                                 {"name": "Socks", "slug": "socks", "position": 3, "is_active": "on"})
    assert response.status_code == 302


@pytest.mark.django_db
def test_variant_stock_sheet_edit_refreshes_the_product(admin_client, make_variant):
    variant = make_variant(stock=0, price="8.00")
    url = reverse("admin:catalog_variant_change", args=[variant.pk])
    response = admin_client.post(url, {"product": variant.product_id, "sku": variant.sku, "option_1": "M",
                                       "price": "8.00", "stock": "6", "is_active": "on", "position": 0})
    assert response.status_code == 302
    assert Product.objects.get(pk=variant.product_id).in_stock
