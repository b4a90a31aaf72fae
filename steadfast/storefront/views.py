"""Shop pages: thin views over catalog.selectors. Each page makes a fixed number of queries."""

import re

from django.conf import settings
from django.http import Http404, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.template.backends.utils import csrf_input
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from steadfast.catalog import selectors
from steadfast.catalog.cache import cached, stock_version
from steadfast.status.middleware import staff_passes
from steadfast.status.models import Mode
from steadfast.status.selectors import current_mode, partner_shops
from steadfast.storefront.forms import SORT_CHOICES, ProductFilterForm
from steadfast.storefront.pagecache import anonymous_page_cache
from steadfast.storefront.variants import selected_choice, variant_groups


@anonymous_page_cache
def home(request):
    tree = selectors.category_tree()
    context = {
        "nav_categories": tree.roots(),
        "top_categories": [(root, tree.children_of(root)[:4]) for root in tree.roots()[:6]],
        "new_products": selectors.products_new(tree),
    }
    return render(request, "storefront/home.html", context)


CATEGORY_PARAMS = {  # the bounded values a category page is cached for; price filters are rendered fresh
    "page": lambda v: v.isdigit() and 0 < int(v) <= 50,
    "sort": lambda v: v in dict(SORT_CHOICES),
    "in_stock": lambda v: v in ("on", "true", "1"),
    "min_price": lambda v: False,
    "max_price": lambda v: False,
}


@anonymous_page_cache(params=CATEGORY_PARAMS)
def category(request, slug):
    tree = selectors.category_tree()
    current = tree.get(slug)
    if current is None:
        raise Http404("No such category")
    form = ProductFilterForm(request.GET)
    products = selectors.products_list(tree, category=current, **form.filters())
    context = {
        "nav_categories": tree.roots(),
        "category": current,
        "ancestors": tree.ancestors(current),
        "nav_current": (tree.ancestors(current) or [current])[0].pk,
        "subcategories": tree.children_of(current),
        "form": form,
    }
    context.update(_paging(selectors.products_paginate(products, request.GET.get("page"))))
    return render(request, "storefront/category.html", context)


SEARCH_PARAMS = {  # a search is cached like a category page; long or odd texts are searched fresh
    "q": lambda v: len(v) <= 60 and len(v.split()) <= 6,
    "page": CATEGORY_PARAMS["page"],
}


@anonymous_page_cache(params=SEARCH_PARAMS)
def search(request):
    tree = selectors.category_tree()
    text = request.GET.get("q", "").strip()[:200]
    context = {"nav_categories": tree.roots(), "q": text, "page": None}
    if text:
        context.update(
            _paging(selectors.products_paginate(selectors.products_search(tree, text), request.GET.get("page")))
        )
    return render(request, "storefront/search.html", context)


def _product_stock(request) -> str:
    """What the product page shows besides the catalog (in the page key already): how many are left."""
    return stock_version(request.resolver_match.kwargs["slug"])


@anonymous_page_cache(vary=_product_stock)
def product(request, slug):
    tree = selectors.category_tree()
    page = cached(["product", slug, get_language(), stock_version(slug)], lambda: _product_page(tree, slug))
    if page is None:
        raise Http404("No such product")
    # The cached part is the same for everyone; the visitor's own CSRF token goes in now, and while the website
    # takes no orders the quantity and "Add to cart" give way to what works (call us, partner shops).
    main = page["product_main"].replace(CSRF_MARK, str(csrf_input(request)))
    mode = current_mode()
    if mode.ordering_blocked and not (mode.mode == Mode.MAINTENANCE and staff_passes(request)):
        main = BUY_ROW.sub(lambda _match: _buy_closed(request, mode.mode), main)
    return render(request, "storefront/product.html", {**page, "product_main": mark_safe(main)})


CSRF_MARK = "<!--csrf-token-->"
BUY_ROW = re.compile(r"<!--buy-->.*?<!--/buy-->", re.DOTALL)


def _buy_closed(request, mode) -> str:
    context = {"mode": mode, "partners": partner_shops(), "shop_phone": settings.SHOP_PHONE,
               "shop_email": settings.SHOP_EMAIL}
    return render_to_string("storefront/_buy_closed.html", context, request=request)


def _product_page(tree, slug):
    """Everything on the product page that does not depend on the visitor, main section rendered."""
    item = selectors.product_detail(tree, slug)
    if item is None:
        return None
    current = tree.by_id[item.category_id]
    variants = item.active_variants
    groups = variant_groups(variants, settings.SHOP_LOW_STOCK)
    lineage = tree.ancestors(current) + [current]
    images = list(item.images.all())
    by_id = {image.pk: image for image in images}
    for choice in (c for g in groups for c in g.choices):
        choice.image = by_id.get(choice.variant.image_id)  # the picture follows the chosen variant (shop.js)
    chosen = selected_choice(groups)
    if chosen is not None and chosen.image is not None:  # without JavaScript too: the chosen one's photo first
        images.remove(chosen.image)
        images.insert(0, chosen.image)
    context = {
        "nav_categories": tree.roots(),
        "nav_current": lineage[0].pk,
        "product": item,
        "category": current,
        "ancestors": lineage,
        "variants": variants,
        "groups": groups,
        "selected": chosen,
        # One variant without options needs no picker: the form posts it as a hidden field.
        "single": len(variants) == 1 and not variants[0].options,
        "price_varies": len({v.price for v in variants}) > 1,
        "images": images,
        "shop_phone": settings.SHOP_PHONE,  # rendered without a request, so no context processors
    }
    context["product_main"] = render_to_string("storefront/_product_main.html", context)
    return {key: context[key] for key in ("nav_categories", "nav_current", "product", "ancestors", "product_main")}


def _paging(page):
    range_ = page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)
    return {"page": page, "page_range": list(range_)}


def rate_limited(request, exception):
    return render(request, "storefront/429.html", status=429)


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


def server_error(request):
    # No request context: context processors read the session and the database, which may be what failed.
    contacts = {"shop_phone": settings.SHOP_PHONE, "shop_email": settings.SHOP_EMAIL}
    nonce = str(getattr(request, "csp_nonce", ""))  # the page's one <style> carries the CSP nonce
    return HttpResponseServerError(loader.get_template("500.html").render({**contacts, "csp_nonce": nonce}))
