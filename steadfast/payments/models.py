import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from steadfast.money import Money


class Payment(models.Model):
    """One attempt to pay an order through one provider. Its `key` is the idempotency key sent to the provider."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")
        REFUNDED = "refunded", _("Refunded")

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    order = models.ForeignKey("orders.Order", related_name="payments", on_delete=models.PROTECT)
    provider = models.ForeignKey("providers.Provider", related_name="payments", on_delete=models.PROTECT)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.PENDING)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    reference = models.CharField(_("provider reference"), max_length=120, blank=True)
    instructions = models.TextField(_("instructions"), blank=True)
    error = models.CharField(_("error"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self):
        return f"{self.provider} {self.amount} {self.currency} ({self.state})"

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)
