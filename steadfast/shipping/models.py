from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from steadfast.money import Money


class DeliveryMethod(models.Model):
    """A way the customer receives the goods. Carrier-backed methods will point at a shipping Provider."""

    class Kind(models.TextChoices):
        FIXED = "fixed", _("Fixed-price delivery")
        PICKUP = "pickup", _("Pickup")
        CARRIER = "carrier", _("Carrier (live quote)")

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.FIXED)
    description = models.CharField(_("description"), max_length=255, blank=True)
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2, default=0)
    free_over = models.DecimalField(
        _("free over"), max_digits=12, decimal_places=2, null=True, blank=True,
        help_text=_("Orders with a subtotal at or above this amount ship free."),
    )
    pickup_address = models.TextField(_("pickup address"), blank=True)
    provider = models.ForeignKey(
        "providers.Provider", null=True, blank=True, on_delete=models.PROTECT, limit_choices_to={"kind": "shipping"}
    )
    # ISO 3166-1 codes the method delivers to. Empty: the shop's own country (SHOP_COUNTRY), never "everywhere".
    countries = models.JSONField(
        _("delivers to"), default=list, blank=True,
        help_text=_("The countries this method delivers to. None chosen: the shop's own country only."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("delivery method")
        verbose_name_plural = _("delivery methods")
        constraints = [models.CheckConstraint(condition=Q(price__gte=0), name="delivery_price_not_negative")]

    def __str__(self):
        return self.name

    @property
    def needs_address(self):
        return self.kind != self.Kind.PICKUP

    @property
    def country_codes(self) -> list[str]:
        """Where it delivers (an address is asked for); a pickup is in the shop, whatever the country."""
        return list(self.countries) or [settings.SHOP_COUNTRY]

    def delivers_to(self, country: str) -> bool:
        return not self.needs_address or country in self.country_codes

    def cost_for(self, subtotal: Money) -> Money:
        if self.free_over is not None and subtotal.amount >= self.free_over:
            return Money(0, settings.SHOP_CURRENCY)
        return Money(self.price, settings.SHOP_CURRENCY)
