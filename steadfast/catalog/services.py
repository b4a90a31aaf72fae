from django.db.models import F

from steadfast.catalog.cache import catalog_changed, stock_changed
from steadfast.catalog.models import Product, Variant

# Stock moves with queryset.update(), which sends no model signals: callers finish a batch of stock changes with
# products_refresh_summary(), which also retires the cached pages that show it — once per order, not once per line.


def variant_take_stock(variant_id: int, quantity: int) -> bool:
    """Atomically take stock; False when not enough is left. The WHERE clause is what prevents overselling."""
    updated = Variant.objects.filter(pk=variant_id, stock__gte=quantity, is_active=True).update(
        stock=F("stock") - quantity
    )
    return updated == 1


def variant_return_stock(variant_id: int, quantity: int) -> None:
    Variant.objects.filter(pk=variant_id).update(stock=F("stock") + quantity)


def products_refresh_summary(product_ids) -> None:
    """Recompute the products' price/stock summary after their variants' stock moved, and retire cached pages:
    every page when a listing changes (price from, out of stock), else only the pages that show stock.

    Call inside the transaction that moved the stock. The product rows are locked before their variants are read:
    a concurrent sale of another variant of the same product then reads after this one commits, so the last of
    them sees both sales (two shoppers taking the last unit of two sizes leave the product out of stock)."""
    products = Product.objects.select_for_update().filter(pk__in=set(product_ids)).order_by("pk")
    listed_changed, slugs = False, []
    for product in products:
        before = (product.min_price, product.in_stock)
        product.refresh_summary()
        listed_changed = listed_changed or (product.min_price, product.in_stock) != before
        slugs.append(product.slug)
    if listed_changed:
        catalog_changed()
    else:
        stock_changed(slugs)


def products_reindex(product_ids=None) -> int:
    """Store the search stems of the given products (all when None): name, description and category path.

    Called on every product and category save (catalog.apps); two queries plus one bulk update.
    """
    from steadfast.catalog.models import Category
    from steadfast.catalog.search import document

    categories = {c.pk: c for c in Category.objects.only("pk", "name", "parent_id")}
    products = Product.objects.only("pk", "name", "description", "category_id", "search_text", "search_name")
    if product_ids is not None:
        products = products.filter(pk__in=set(product_ids))
    changed = []
    for product in products:
        path, category_id = [], product.category_id
        while category_id is not None and category_id in categories and len(path) < 20:
            path.append(categories[category_id].name)
            category_id = categories[category_id].parent_id
        text, name = document(product.name, product.description, *path), document(product.name)
        if (text, name) != (product.search_text, product.search_name):
            product.search_text, product.search_name = text, name
            changed.append(product)
    Product.objects.bulk_update(changed, ["search_text", "search_name"], batch_size=500)
    return len(changed)
