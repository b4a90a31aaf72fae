import os
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from steadfast.money import Money


class DeliveryMethod(models.Model):
    """A way the customer receives the goods. Carrier-backed methods will point at a shipping Provider."""

    class Kind(models.TextChoices):
        FIXED = "fixed", _("Fixed-price delivery")
        PICKUP = "pickup", _("Pickup")
        CARRIER = "carrier", _("Carrier (live quote)")
        # Shown only when no carrier gave a live quote in time: what owners otherwise switch on by hand.
        EMERGENCY = "emergency", _("Emergency fixed price (only when no live quote)")

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
    service = models.CharField(
        _("carrier service"), max_length=50, blank=True,
        help_text=_("The carrier's code of the service this method sells (e.g. CDEK tariff 136). Empty: the cheapest "
                    "service the carrier quotes."),
    )
    # While the carrier is out (breaker open, failing, past the deadline) offer the last good price it quoted for
    # the same route (shipping/routes.py), marked "estimated", plus the markup (the real price may have moved).
    estimate_when_out = models.BooleanField(
        _("offer the last price while the carrier is out"), default=False,
        help_text=_("When the carrier cannot be asked, offer the last price it quoted for the same route (origin, "
                    "destination postcode area, weight band), marked as an estimate."),
    )
    estimate_markup_percent = models.DecimalField(
        _("estimate markup (%)"), max_digits=5, decimal_places=2, default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Added to a remembered price offered as an estimate, e.g. 10 for 10%."),
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
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="delivery_price_not_negative"),
            models.CheckConstraint(condition=Q(estimate_markup_percent__gte=0, estimate_markup_percent__lte=100),
                                   name="delivery_estimate_markup_range"),
        ]

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


class LabelStorage(FileSystemStorage):
    """Carrier labels (customers' names and addresses): a private directory, never under MEDIA_ROOT, which a web
    server may serve to anyone. SHIPPING_LABEL_DIR, else <STEADFAST_DATA_DIR>/labels; read when used."""

    def __init__(self):
        super().__init__(base_url=None, file_permissions_mode=0o600, directory_permissions_mode=0o700)

    @property
    def base_location(self):
        return str(settings.SHIPPING_LABEL_DIR or Path(settings.DATA_DIR) / "labels")

    @property
    def location(self):
        return os.path.abspath(self.base_location)


def label_storage():
    return LabelStorage()


class Shipment(models.Model):
    """One order's parcel at a carrier: a durable row written with the payment, created at the carrier by the
    worker (shipping.services.shipment_create), never in the web request. One per order, whatever fails when."""

    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting for the carrier")
        PENDING = "pending", _("Registering at the carrier")
        CREATED = "created", _("Created")
        FAILED = "failed", _("Refused by the carrier")
        CANCELLED = "cancelled", _("Cancelled")
        DELIVERED = "delivered", _("Delivered")

    order = models.OneToOneField("orders.Order", models.CASCADE, related_name="shipment", verbose_name=_("order"))
    # None: shipped by hand (the emergency method), staff type the carrier's name and the tracking number.
    provider = models.ForeignKey("providers.Provider", models.PROTECT, related_name="shipments", null=True,
                                 blank=True, verbose_name=_("carrier"))
    carrier_name = models.CharField(_("carrier (shipped by hand)"), max_length=100, blank=True)
    service = models.CharField(_("service"), max_length=50, help_text=_("The carrier's code, e.g. a CDEK tariff."))
    pickup_point = models.CharField(_("pickup point"), max_length=50, blank=True)
    weight_grams = models.PositiveIntegerField(_("weight (g)"), default=0)
    # The parcel's size as quoted at checkout (shipping.parcels); 0: registered before sizes were kept (default box).
    length_cm = models.PositiveSmallIntegerField(_("length (cm)"), default=0)
    width_cm = models.PositiveSmallIntegerField(_("width (cm)"), default=0)
    height_cm = models.PositiveSmallIntegerField(_("height (cm)"), default=0)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.WAITING)
    reference = models.CharField(_("carrier reference"), max_length=100, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=100, blank=True)
    tracking_url = models.CharField(_("tracking link"), max_length=500, blank=True)
    # The carrier's label PDF, stored as a file under MEDIA_ROOT/labels/ (never in the database).
    label = models.FileField(_("label"), upload_to="%Y/%m/", storage=label_storage, blank=True, editable=False)
    carrier_status = models.CharField(_("carrier status"), max_length=200, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # Set once a create was sent: from then on the worker asks the carrier by order number before sending again.
    sent = models.BooleanField(_("create sent"), default=False)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="shipment_due")]

    def __str__(self):
        return f"{self.order_id}: {self.get_state_display()}"
