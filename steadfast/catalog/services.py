from django.db.models import F

from steadfast.catalog.cache import catalog_changed
from steadfast.catalog.models import Product, Variant

# Stock moves with queryset.update(), which sends no model signals: callers finish a batch of stock changes with
# products_refresh_summary(), which also retires cached catalog pages — once per order, not once per line.


def variant_take_stock(variant_id: int, quantity: int) -> bool:
    """Atomically take stock; False when not enough is left. The WHERE clause is what prevents overselling."""
    updated = Variant.objects.filter(pk=variant_id, stock__gte=quantity, is_active=True).update(
        stock=F("stock") - quantity
    )
    return updated == 1


def variant_return_stock(variant_id: int, quantity: int) -> None:
    Variant.objects.filter(pk=variant_id).update(stock=F("stock") + quantity)


def products_refresh_summary(product_ids) -> None:
    """Recompute the products' price/stock summary after their variants' stock moved, and retire cached pages."""
    for product in Product.objects.filter(pk__in=set(product_ids)):
        product.refresh_summary()
    catalog_changed()
