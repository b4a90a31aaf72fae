import secrets
import uuid

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from steadfast.money import Money


class Payment(models.Model):
    """One attempt to pay an order through one provider. Its `key` is the idempotency key sent to the provider."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        # "Confirming": the provider may have taken the money and has not said so yet (a capture or charge whose
        # answer was lost, or the customer came back from the provider's page). No other charge for the order
        # until a status query resolves it (routing.start_refusal); re-checked within seconds (tasks).
        UNKNOWN = "unknown", _("Confirming")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")
        REFUNDED = "refunded", _("Refunded")

    class Failure(models.TextChoices):
        """Why an attempt failed, as routing classified it (providers.errors)."""

        NONE = "", _("—")
        DECLINED = "declined", _("Declined")
        UNAVAILABLE = "unavailable", _("Unavailable")
        MISCONFIGURED = "misconfigured", _("Misconfigured")
        REJECTED = "rejected", _("Request refused as wrong")

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    order = models.ForeignKey("orders.Order", related_name="payments", on_delete=models.PROTECT)
    provider = models.ForeignKey("providers.Provider", related_name="payments", on_delete=models.PROTECT)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.PENDING)
    failure = models.CharField(_("failure"), max_length=20, choices=Failure.choices, blank=True, default="")
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    reference = models.CharField(_("provider reference"), max_length=120, blank=True)
    charge_reference = models.CharField(_("charge reference"), max_length=120, blank=True,
                                        help_text=_("What a refund is made against, e.g. a Stripe PaymentIntent."))
    redirect_url = models.URLField(_("payment page"), max_length=1000, blank=True)
    # Where the provider sends the customer back; kept so a status query can replay the start with equal parameters.
    return_url = models.URLField(_("return address"), max_length=1000, blank=True)
    # The start request as first built (payments.requests): every replay under `key` sends exactly this.
    start_request = models.JSONField(_("start request"), null=True, blank=True, editable=False)
    refund_due = models.BooleanField(_("refund due"), default=False,
                                     help_text=_("A charge the order did not need; the reconciliation job refunds it."))
    # A refund the gateway clearly refused is kept under its idempotency key (Stripe and YooKassa replay it for 24 h):
    # the next try after a refusal needs a key of its own. Only a clear refusal moves it (payments.services).
    refund_attempt = models.PositiveSmallIntegerField(_("refund attempt"), default=0, editable=False)
    expire_due = models.BooleanField(
        _("session to close"), default=False,
        help_text=_("A provider session the customer will not use (start answer lost, other method chosen, order "
                    "cancelled); the reconciliation job closes it by its key."))
    instructions = models.TextField(_("instructions"), blank=True)
    error = models.CharField(_("error"), max_length=255, blank=True)
    checks = models.PositiveIntegerField(_("status queries"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        indexes = [models.Index(fields=["state", "updated_at"], name="payment_state_updated")]

    def __str__(self):
        return f"{self.provider} {self.amount} {self.currency} ({self.state})"

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)


class WebhookEvent(models.Model):
    """A provider event we accepted. The unique (provider, event_id) pair makes each event count once."""

    provider = models.ForeignKey("providers.Provider", related_name="webhook_events", on_delete=models.PROTECT)
    event_id = models.CharField(_("event id"), max_length=120)
    kind = models.CharField(_("type"), max_length=80, blank=True)
    payment = models.ForeignKey(Payment, null=True, blank=True, related_name="webhook_events",
                                on_delete=models.SET_NULL)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="webhook_event_once")]
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")

    def __str__(self):
        return f"{self.provider_id} {self.event_id}"


def new_link_token():
    return secrets.token_urlsafe(32)  # 256 bits: the link is the only key to paying this order


class PaymentLink(models.Model):
    """A link staff create for a phone order and send to the customer, who pays online on their own device
    (staff never type card numbers). One order per link; it stops working when it expires or a newer one is made."""

    token = models.CharField(max_length=64, unique=True, default=new_link_token, editable=False)
    order = models.ForeignKey("orders.Order", related_name="payment_links", on_delete=models.CASCADE)
    created_by = models.CharField(_("created by"), max_length=150)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("payment link")
        verbose_name_plural = _("payment links")

    def __str__(self):
        return f"{self.order} link"

    def get_absolute_url(self):
        return reverse("payment_link", args=[self.token])

    def is_live(self, now=None) -> bool:
        return self.revoked_at is None and (now or timezone.now()) < self.expires_at
