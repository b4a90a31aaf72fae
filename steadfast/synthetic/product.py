"""The hidden test product the synthetic checkout buys: active (so the normal checkout accepts it) but in an
inactive category, so no listing, search, product page or lifeboat export shows it; only a session the probe
marked may put it in a cart or an order (guards in cart.Cart and checkout.services.order_place)."""

from decimal import Decimal

from django.db import transaction

from steadfast.catalog.models import Category, Product, Variant

CATEGORY_SLUG = "steadfast-synthetic"
PRODUCT_SLUG = "steadfast-synthetic-checkout"
SKU = "SYNTHETIC-CHECKOUT"
PRICE = Decimal("1.00")
STOCK = 100  # every run cancels its order (stock comes back); topped up in case one was interrupted
SESSION_KEY = "steadfast_synthetic_run"  # set only server-side by the probe; a shopper cannot set it


def synthetic_variant() -> Variant:
    """The hidden product's one variant, created the first time; stock topped up."""
    with transaction.atomic():
        category, _ = Category.objects.get_or_create(
            slug=CATEGORY_SLUG, defaults={"name": "Synthetic checkout (hidden)", "is_active": False})
        if category.is_active:
            Category.objects.filter(pk=category.pk).update(is_active=False)
        product, _ = Product.objects.get_or_create(
            slug=PRODUCT_SLUG, defaults={"name": "Synthetic checkout test item", "category": category,
                                         "description": "Bought and cancelled by the synthetic checkout probe."})
        variant, _ = Variant.objects.get_or_create(
            sku=SKU, defaults={"product": product, "price": PRICE, "stock": STOCK})
        Product.objects.filter(pk=product.pk).update(is_active=True, category=category)
        Variant.objects.filter(pk=variant.pk, stock__lt=STOCK).update(stock=STOCK, is_active=True)
        product.refresh_from_db()
        product.refresh_summary()
    variant.refresh_from_db()
    return variant


def is_synthetic_product(product_id) -> bool:
    return Product.objects.filter(pk=product_id, slug=PRODUCT_SLUG).exists()


def synthetic_session(session) -> bool:
    return bool(session.get(SESSION_KEY))


