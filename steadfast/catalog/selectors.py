"""Catalog reads for the storefront and the API.

Every function here issues a fixed number of queries whatever the catalog size: categories are loaded in one
query and walked in Python, product lists prefetch their first image, never a query per product.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Case, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When

from steadfast.catalog import search_match
from steadfast.catalog.cache import cached
from steadfast.catalog.models import Category, Product, ProductImage, Variant
from steadfast.catalog.search import word_stems

PER_PAGE = 12
SORTS = {
    "name": ("name", "pk"),
    "price_asc": ("min_price", "name", "pk"),
    "price_desc": ("-min_price", "name", "pk"),
    "newest": ("-created_at", "-pk"),
}
DEFAULT_SORT = "name"
SEARCH_TERM = re.compile(r"\w+", re.UNICODE)
MAX_SEARCH_TERMS = 8


@dataclass
class CategoryTree:
    """All visible categories (active, and every ancestor active), loaded in one query."""

    by_id: dict = field(default_factory=dict)
    by_slug: dict = field(default_factory=dict)
    children: dict = field(default_factory=dict)

    def roots(self) -> list:
        return self.children.get(None, [])

    def get(self, slug) -> Category | None:
        return self.by_slug.get(slug)

    def children_of(self, category) -> list:
        return self.children.get(category.pk, [])

    def ancestors(self, category) -> list:
        chain, parent_id = [], category.parent_id
        while parent_id is not None:
            parent = self.by_id[parent_id]
            chain.insert(0, parent)
            parent_id = parent.parent_id
        return chain

    def descendant_ids(self, category) -> list:
        ids, stack = [], [category]
        while stack:
            node = stack.pop()
            ids.append(node.pk)
            stack.extend(self.children_of(node))
        return ids

    def visible_ids(self) -> list:
        return list(self.by_id)


def category_tree() -> CategoryTree:
    return cached(["tree"], _category_tree_build)


def _category_tree_build() -> CategoryTree:
    rows = list(Category.objects.filter(is_active=True).order_by("position", "name", "pk"))
    active_children = {}
    for row in rows:
        active_children.setdefault(row.parent_id, []).append(row)
    tree = CategoryTree()
    # Walk down from the roots so a category under an inactive parent stays hidden too.
    stack = list(reversed(active_children.get(None, [])))
    while stack:
        node = stack.pop()
        tree.by_id[node.pk] = node
        tree.by_slug[node.slug] = node
        kids = active_children.get(node.pk, [])
        tree.children[node.parent_id] = tree.children.get(node.parent_id, []) + [node]
        stack.extend(reversed(kids))
    return tree


def products_visible(tree: CategoryTree, category_ids=None) -> QuerySet:
    """Active products in visible categories (or in the given ones), with what a product card shows."""
    first_image = ProductImage.objects.order_by("position", "pk")[:1]
    highest_price = (
        Variant.objects.filter(product=OuterRef("pk"), is_active=True).order_by("-price").values("price")[:1]
    )
    return (
        Product.objects.filter(
            is_active=True, category_id__in=tree.visible_ids() if category_ids is None else category_ids
        )
        .annotate(max_price=Subquery(highest_price))
        .prefetch_related(Prefetch("images", queryset=first_image, to_attr="first_images"))
    )


def products_list(
    tree: CategoryTree,
    category: Category | None = None,
    min_price: Decimal | None = None,
    max_price: Decimal | None = None,
    in_stock: bool = False,
    sort: str = DEFAULT_SORT,
) -> QuerySet:
    """Products for a listing: category (with its subcategories), price range, in stock only, sorted."""
    qs = products_visible(tree, tree.descendant_ids(category) if category is not None else None)
    if min_price is not None:
        qs = qs.filter(min_price__gte=min_price)
    if max_price is not None:
        qs = qs.filter(min_price__lte=max_price)
    if in_stock:
        qs = qs.filter(in_stock=True)
    return qs.order_by(*SORTS.get(sort, SORTS[DEFAULT_SORT]))


def products_search(tree: CategoryTree, text: str) -> QuerySet:
    """Products matching every word of `text`, by the stems of their name, description and category path
    (catalog.search), so plurals and category names match; name matches first. Each word is looked up through an
    index on PostgreSQL (catalog.search_match), never by reading every product.

    A word also matches the start of a variant SKU, and the whole text a SKU exactly, so a shopper can paste the code
    from an invoice.
    """
    words = SEARCH_TERM.findall(text or "")[:MAX_SEARCH_TERMS]
    qs = products_visible(tree)
    if not words:
        return qs.none()
    found, in_name = None, Q()
    for word in words:
        stems = word_stems(word)
        ids = search_match.word_ids(word, stems)
        found = ids if found is None else found.intersection(ids)
        in_name &= _any_stem("search_name", stems)
    if [text.strip()] != words:  # a one-word text is already found as a SKU prefix; "AB-12" needs the exact match
        found = found.union(search_match.sku_exact_ids(text.strip()))
    # One set of ids (SQL INTERSECT / UNION of indexed lookups), so the product table is only joined to it.
    qs = qs.filter(pk__in=found)
    name_first = Case(When(in_name, then=Value(0)), default=Value(1), output_field=IntegerField())
    return qs.annotate(name_first=name_first).order_by("name_first", "name", "pk")


def _any_stem(field_name, stems) -> Q:
    """Only on the rows already found (the name-first sort): a word of the name starting with a stem."""
    found = Q()
    for stem in sorted(stems):
        found |= Q(**{f"{field_name}__contains": f" {stem}"})
    return found


def products_new(tree: CategoryTree, limit: int = 8) -> list:
    return list(products_list(tree, sort="newest")[:limit])


def products_paginate(qs: QuerySet, page_number, per_page: int = PER_PAGE) -> Page:
    """One page of products; a missing, bad or too large page number gives the first or last page."""
    return Paginator(qs, per_page).get_page(page_number)


def product_detail(tree: CategoryTree, slug: str) -> Product | None:
    """An active product in a visible category, with its active variants and all images (3 queries)."""
    variants = Variant.objects.filter(is_active=True).order_by("position", "pk")
    return (
        Product.objects.filter(is_active=True, slug=slug, category_id__in=tree.visible_ids())
        .prefetch_related(Prefetch("variants", queryset=variants, to_attr="active_variants"), "images")
        .first()
    )
