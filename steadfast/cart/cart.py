"""Session cart: {variant_id: quantity} in the session. Prices and stock always come from the database."""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from steadfast.catalog.models import Variant
from steadfast.money import Money

SESSION_KEY = "cart"
MAX_QUANTITY = 99


class CartError(ValueError):
    """Bad input for the cart (unknown item, bad quantity): shown to the shopper, nothing changes."""


@dataclass
class CartLine:
    variant: Variant
    quantity: int

    @property
    def unit_price(self) -> Money:
        return self.variant.unit_price

    @property
    def total(self) -> Money:
        return self.unit_price * self.quantity


def parse_quantity(raw) -> int:
    try:
        quantity = int(str(raw).strip())
    except (TypeError, ValueError):
        raise CartError(_("Quantity must be a whole number.")) from None
    if quantity < 0 or quantity > MAX_QUANTITY:
        raise CartError(_("Quantity must be between 0 and %(max)s.") % {"max": MAX_QUANTITY})
    return quantity


class Cart:
    def __init__(self, session):
        self.session = session
        self.items = {str(k): int(v) for k, v in session.get(SESSION_KEY, {}).items()}

    def _save(self):
        self.session[SESSION_KEY] = self.items
        self.session.modified = True

    def __len__(self):
        return sum(self.items.values())

    def add(self, variant_id, quantity) -> str | None:
        """Add to the cart; returns a notice when the quantity had to be limited by stock."""
        variant = self._variant(variant_id)
        if quantity < 1:
            raise CartError(_("Quantity must be at least 1."))
        return self._set(variant, self.items.get(str(variant.pk), 0) + quantity)

    def update(self, variant_id, quantity) -> str | None:
        variant = self._variant(variant_id)
        if quantity == 0:
            self.remove(variant.pk)
            return None
        return self._set(variant, quantity)

    def remove(self, variant_id):
        self.items.pop(str(variant_id), None)
        self._save()

    def clear(self):
        self.items = {}
        self._save()

    def _variant(self, variant_id) -> Variant:
        from steadfast.synthetic.product import PRODUCT_SLUG, synthetic_session

        try:
            variant = Variant.objects.select_related("product").get(
                pk=int(variant_id), is_active=True, product__is_active=True
            )
        except (Variant.DoesNotExist, TypeError, ValueError):
            raise CartError(_("This item is not available.")) from None
        if variant.product.slug == PRODUCT_SLUG and not synthetic_session(self.session):
            raise CartError(_("This item is not available."))  # the probe's hidden item: not for shoppers
        return variant

    def _set(self, variant, quantity) -> str | None:
        notice = None
        if variant.stock <= 0:
            raise CartError(_("Sorry, %(item)s is out of stock.") % {"item": variant})
        if quantity > variant.stock:
            notice = _("Only %(count)s of %(item)s left in stock; your cart has been limited to that.") % {
                "count": variant.stock,
                "item": variant,
            }
            quantity = variant.stock
        self.items[str(variant.pk)] = min(quantity, MAX_QUANTITY)
        self._save()
        return notice

    def lines(self) -> list[CartLine]:
        if not self.items:
            return []
        variants = (
            Variant.objects.select_related("product", "image")
            .prefetch_related("product__images")
            .in_bulk([int(k) for k in self.items])
        )
        return [CartLine(variants[int(k)], q) for k, q in self.items.items() if int(k) in variants]

    def subtotal(self, lines=None) -> Money:
        total = Money(0, settings.SHOP_CURRENCY)
        for line in self.lines() if lines is None else lines:
            total = total + line.total
        return total

    def reconcile(self, lines=None) -> list[str]:
        """Bring the cart in line with current stock; one message per change since items were added.
        `lines`: this cart's lines() when the caller has them already (one read of the variants, not two)."""
        notices = []
        lines = self.lines() if lines is None else lines
        known = {str(line.variant.pk) for line in lines}
        for key in list(self.items):
            if key not in known:
                self.items.pop(key)
                notices.append(_("An item in your cart is no longer sold and was removed."))
        for line in lines:
            variant = line.variant
            if not variant.is_active or not variant.product.is_active or variant.stock <= 0:
                self.items.pop(str(variant.pk))
                notices.append(_("%(item)s is now out of stock and was removed from your cart.") % {"item": variant})
            elif line.quantity > variant.stock:
                self.items[str(variant.pk)] = variant.stock
                notices.append(
                    _("Only %(count)s of %(item)s left; we changed the quantity in your cart.")
                    % {"count": variant.stock, "item": variant}
                )
        if notices:
            self._save()
        return notices
