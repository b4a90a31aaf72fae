"""Catalog endpoints: category tree, product listing with filters, product detail.

Reads go through catalog.selectors, the same functions the storefront pages use, so the API and the shop never
disagree about which products are visible, how they sort or what a search finds.
"""

from decimal import Decimal
from typing import Literal

from django.conf import settings
from django.http import Http404, HttpResponse
from ninja import Query, Router, Schema
from pydantic import Field, model_validator

from steadfast.api.cart import image_out
from steadfast.api.schemas import CategoryOut, ErrorOut, ProductOut, ProductPageOut, money
from steadfast.catalog import selectors
from steadfast.catalog.cache import cached
from steadfast.siteurl import absolute_url

router = Router(tags=["catalog"])

PAGE_SIZE = 24


class ProductFilters(Schema):
    category: str | None = Field(None, max_length=140, description="Category slug; includes its subcategories.")
    q: str | None = Field(None, max_length=200, description="Words to find (name, description, SKU).")
    min_price: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    max_price: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    in_stock: bool = Field(False, description="true: only products that can be bought now.")
    sort: Literal["name", "price_asc", "price_desc", "newest"] | None = Field(
        None, description="Default: relevance when searching (q), otherwise name."
    )
    page: int = Field(1, ge=1, le=10_000, description="A page past the last one gives the last page.")

    @model_validator(mode="after")
    def _price_range(self):
        if self.min_price is not None and self.max_price is not None and self.min_price > self.max_price:
            raise ValueError("max_price must not be lower than min_price.")
        return self


@router.get("/categories", response=list[CategoryOut], summary="Active categories as a tree")
def category_tree(request):
    tree = selectors.category_tree()

    def node(category):
        return {"id": category.pk, "slug": category.slug, "name": category.name, "description": category.description,
                "children": [node(child) for child in tree.children_of(category)]}

    return [node(root) for root in tree.roots()]


@router.get("/products", response={200: ProductPageOut, 404: ErrorOut}, summary="Products, filtered, sorted, paged")
def product_list(request, filters: Query[ProductFilters]):
    tree = selectors.category_tree()
    category = None
    if filters.category:
        category = tree.get(filters.category)
        if category is None:
            raise Http404("unknown category")
    if filters.q or filters.min_price is not None or filters.max_price is not None or filters.page > 50:
        return _product_page(tree, category, filters)  # unbounded values: not worth a cache entry each
    # The same for every client until the catalog changes (catalog version in the key): stored as JSON text.
    body = cached(["api-products", filters.model_dump_json()],
                  lambda: ProductPageOut.model_validate(_product_page(tree, category, filters)).model_dump_json(),
                  seconds=60)
    return HttpResponse(body, content_type="application/json; charset=utf-8")


def _product_page(tree, category, filters) -> dict:
    listed = selectors.products_list(
        tree, category=category, min_price=filters.min_price, max_price=filters.max_price,
        in_stock=filters.in_stock, sort=filters.sort or selectors.DEFAULT_SORT,
    )
    if filters.q:
        # Search ranks by relevance; the listing's filters narrow it down.
        products = selectors.products_search(tree, filters.q).filter(pk__in=listed.values("pk"))
        if filters.sort:
            products = products.order_by(*selectors.SORTS[filters.sort])
    else:
        products = listed
    page = selectors.products_paginate(products, filters.page, per_page=PAGE_SIZE)
    return {
        "count": page.paginator.count, "page": page.number, "pages": page.paginator.num_pages, "page_size": PAGE_SIZE,
        "results": [
            {"slug": p.slug, "name": p.name,
             "category": {"slug": tree.by_id[p.category_id].slug, "name": tree.by_id[p.category_id].name},
             "price": money(p.price), "in_stock": p.in_stock,
             "image": image_out(None, p.first_images[0]) if p.first_images else None,
             "url": absolute_url(p.get_absolute_url())}
            for p in page.object_list
        ],
    }


@router.get("/products/{slug}", response={200: ProductOut, 404: ErrorOut}, summary="One product with its variants")
def product_detail(request, slug: str):
    tree = selectors.category_tree()
    product = selectors.product_detail(tree, slug)
    if product is None:
        raise Http404("unknown product")
    category = tree.by_id[product.category_id]
    return {
        "slug": product.slug, "name": product.name, "description": product.description,
        "category": {"slug": category.slug, "name": category.name},
        "price": money(product.price), "in_stock": product.in_stock,
        "images": [image_out(request, image) for image in product.images.all()],
        "variants": [_variant_out(v) for v in product.active_variants],
        "url": absolute_url(product.get_absolute_url()),
    }


def _variant_out(variant) -> dict:
    if variant.stock <= 0:
        state, left = "out_of_stock", None
    elif variant.stock <= settings.SHOP_LOW_STOCK:
        state, left = "low_stock", variant.stock
    else:
        state, left = "in_stock", None
    return {"id": variant.pk, "sku": variant.sku, "label": variant.label,
            "options": {str(k): str(v) for k, v in variant.options.items()}, "price": money(variant.unit_price),
            "stock": state, "left": left, "weight_grams": variant.unit_weight_grams, "size": _size_out(variant)}


def _size_out(variant) -> dict | None:
    sides = variant.unit_sides_cm
    return dict(zip(("length_cm", "width_cm", "height_cm"), sides, strict=True)) if sides else None
