"""1C's import.xml (groups and products) and offers.xml (stock, then prices), each applied in one transaction.

Groups (Классификатор/Группы/Группа, nested) become categories with slug "1c-<Ид>". A product (Каталог/Товары/Товар)
is matched to a variant by Артикул (our SKU): a known one gets 1C's name; an unknown one is created **inactive**
with price 0 and stock 0, for staff to check and switch on (a product must never appear for sale at price 0).
Prices from offers.xml (ЦенаЗаЕдиницу) update known variants; a price of 0 is ignored, one the shop cannot store
(more than 10 digits before the point) fails the whole offers.xml, stock included.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils.text import slugify

from steadfast.accounting.commerceml import CommerceMLError, child, local_name, parse_offers, parse_xml, text_of
from steadfast.accounting.readback import offers_import
from steadfast.catalog.models import Category, Product, Variant
from steadfast.catalog.services import products_refresh_summary


@dataclass
class CatalogReport:
    categories: int = 0
    renamed: int = 0
    created: list = field(default_factory=list)  # SKUs of products created inactive
    prices: int = 0


def _groups(element, parent, found):
    for group in (element if element is not None else []):
        if local_name(group) != "Группа" or not text_of(group, "Ид"):
            continue
        found.append((text_of(group, "Ид"), text_of(group, "Наименование") or text_of(group, "Ид"), parent))
        _groups(child(group, "Группы"), text_of(group, "Ид"), found)
    return found


def catalog_import(data: bytes) -> CatalogReport:
    root = parse_xml(data)
    classifier, catalog = child(root, "Классификатор"), child(root, "Каталог")
    groups = _groups(child(classifier, "Группы") if classifier is not None else None, None, [])
    goods = child(catalog, "Товары") if catalog is not None else None
    products = []
    for item in (goods if goods is not None else []):
        if local_name(item) != "Товар":
            continue
        sku, name = text_of(item, "Артикул") or text_of(item, "Ид"), text_of(item, "Наименование")
        if not sku or not name or len(sku) > 64:
            raise CommerceMLError(f"a product without a usable Артикул/Ид or Наименование ({sku!r})")
        listed = child(item, "Группы")
        group = text_of(listed, "Ид") if listed is not None else ""
        products.append((sku, name[:200], group))
    report = CatalogReport()
    with transaction.atomic():
        categories = {}
        for group_id, name, parent in groups:
            category, created = Category.objects.update_or_create(
                slug=f"1c-{slugify(group_id)}"[:140],
                defaults={"name": name[:120], "parent": categories.get(parent)})
            categories[group_id] = category
            report.categories += created
        fallback = None
        known = {v.sku: v for v in Variant.objects.select_related("product").filter(sku__in=[p[0] for p in products])}
        for sku, name, group in products:
            variant = known.get(sku)
            if variant is not None:
                if variant.product.name != name:
                    Product.objects.filter(pk=variant.product_id).update(name=name)
                    report.renamed += 1
                continue
            category = categories.get(group)
            if category is None:
                fallback = fallback or Category.objects.get_or_create(slug="1c", defaults={"name": "1C"})[0]
                category = fallback
            slug = f"1c-{slugify(sku)}"[:220]
            if Product.objects.filter(slug=slug).exists():  # "AB-1" and "ab 1", or an Артикул listed twice
                raise CommerceMLError(f"product {sku}: its address {slug} is taken by another product")
            product = Product.objects.create(category=category, name=name, slug=slug, is_active=False)
            Variant.objects.create(product=product, sku=sku, price=Decimal("0"), stock=0)
            report.created.append(sku)
    return report


CENT = Decimal("0.01")
PRICE_MAX = Decimal("1e10")  # Variant.price: 12 digits, 2 after the point


def prices_apply(prices: dict) -> int:
    """Known variants whose price differs take 1C's (rounded to cents); 0 (no price set in 1C) is ignored. Atomic;
    a price the shop cannot store fails it (CommerceMLError)."""
    with transaction.atomic():
        changed = []
        for variant in Variant.objects.filter(sku__in=list(prices)).only("pk", "sku", "price", "product_id"):
            price = prices[variant.sku].quantize(CENT, ROUND_HALF_UP)
            if price >= PRICE_MAX:
                raise CommerceMLError(f"{variant.sku} ЦенаЗаЕдиницу: {prices[variant.sku]} is too large for a price")
            if price > 0 and price != variant.price:
                Variant.objects.filter(pk=variant.pk).update(price=price)
                changed.append(variant.product_id)
        products_refresh_summary(changed)
    return len(changed)


def offers_apply(source: str, data: bytes, target=None):
    """offers.xml: stock through the guard, then (unless the stock import was held) the prices, in one
    transaction, so a file failing half-way leaves both stock and prices as they were. (StockImport record, number
    of prices changed)."""
    with transaction.atomic():
        record = offers_import(source, data, target)
        if record.state == record.State.HELD:
            return record, 0
        return record, prices_apply(parse_offers(data).prices)
