import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from steadfast.money import Money


def new_order_token():
    return secrets.token_urlsafe(24)  # 192 bits: unguessable guest link


class OrderStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", _("Awaiting payment")
    AWAITING_OFFLINE_PAYMENT = "awaiting_offline_payment", _("Awaiting offline payment")
    PAID = "paid", _("Paid")
    FULFILLED = "fulfilled", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")
    REFUNDED = "refunded", _("Refunded")


class Order(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True, null=True, blank=True)
    token = models.CharField(max_length=64, unique=True, default=new_order_token, editable=False)
    idempotency_key = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=32, choices=OrderStatus.choices, default=OrderStatus.PENDING_PAYMENT
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=32)
    full_name = models.CharField(_("full name"), max_length=150)
    address_line1 = models.CharField(_("address"), max_length=200, blank=True)
    address_line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    note = models.TextField(_("note from customer"), blank=True)
    delivery_method = models.CharField(_("delivery method"), max_length=50)
    delivery_name = models.CharField(_("delivery"), max_length=120)
    # The carrier's pickup point / parcel locker the customer chose (its code, sent with the shipment; its name and
    # address as shown to the customer).
    pickup_point = models.CharField(_("pickup point"), max_length=50, blank=True)
    pickup_point_name = models.CharField(_("pickup point address"), max_length=300, blank=True)
    # The delivery price was a carrier's remembered price offered while it was out, not a live quote.
    delivery_estimated = models.BooleanField(_("delivery price estimated"), default=False)
    payment_method = models.CharField(_("payment method"), max_length=50)
    payment_name = models.CharField(_("payment"), max_length=120)
    payment_reference = models.CharField(_("payment reference"), max_length=40, blank=True)
    currency = models.CharField(_("currency"), max_length=3)
    subtotal = models.DecimalField(_("subtotal"), max_digits=12, decimal_places=2)
    delivery_total = models.DecimalField(_("delivery"), max_digits=12, decimal_places=2)
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2)
    language = models.CharField(max_length=8, default="en")
    stock_reserved = models.BooleanField(default=True, editable=False)
    reserved_until = models.DateTimeField(_("reservation expires"), null=True, blank=True)
    # An offline order (cash on delivery, bank transfer) from a guest holds stock only briefly until the customer
    # confirms it from the e-mail link or staff confirm it (checkout/limits.py); null means not (yet) confirmed.
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    # Placed by the synthetic checkout probe (steadfast/synthetic/) and cancelled by it: never revenue, never
    # on the dashboard or in reports, no customer messages.
    synthetic = models.BooleanField(_("synthetic test order"), default=False, editable=False)
    created_at = models.DateTimeField(_("placed"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        indexes = [models.Index(fields=["status", "reserved_until"]), models.Index(fields=["email"])]

    def __str__(self):
        return self.number or f"order #{self.pk}"

    def get_absolute_url(self):
        return reverse("orders:detail", args=[self.token])

    @property
    def total_money(self) -> Money:
        return Money(self.total, self.currency)

    @property
    def is_paid(self):
        return self.paid_at is not None

    @property
    def address_lines(self):
        from steadfast.checkout.countries import country_name  # the name in the active language, not "PL"

        city = " ".join(part for part in (self.postcode, self.city) if part)
        country = country_name(self.country) if self.country else ""
        return [line for line in (self.address_line1, self.address_line2, city, country) if line]


class OrderLine(models.Model):
    order = models.ForeignKey(Order, related_name="lines", on_delete=models.CASCADE)
    variant = models.ForeignKey("catalog.Variant", null=True, on_delete=models.SET_NULL, related_name="+")
    product_name = models.CharField(_("product"), max_length=200)
    variant_label = models.CharField(_("variant"), max_length=200, blank=True)
    sku = models.CharField(_("SKU"), max_length=64)
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2)
    quantity = models.PositiveIntegerField(_("quantity"))
    line_total = models.DecimalField(_("total"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")

    def __str__(self):
        return f"{self.quantity} × {self.product_name}"


class OrderEvent(models.Model):
    """The order timeline: every status change and notable thing that happened, with who did it."""

    order = models.ForeignKey(Order, related_name="events", on_delete=models.CASCADE)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    kind = models.CharField(_("event"), max_length=40)
    from_status = models.CharField(max_length=32, blank=True)
    to_status = models.CharField(max_length=32, blank=True)
    actor = models.CharField(_("by"), max_length=150, help_text=_("customer, system, or staff:<username>"))
    message = models.TextField(_("message"), blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("order event")
        verbose_name_plural = _("order events")

    def __str__(self):
        return f"{self.kind} by {self.actor}"
