from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    """A side effect written in the same transaction as the change that caused it (transactional outbox).

    Delivered at least once by the worker; `key` is the idempotency key the receiving side sees.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        DEAD = "dead", _("Dead-lettered")

    key = models.CharField(_("idempotency key"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=50, help_text=_("e.g. order_confirmation"))
    channel = models.CharField(_("channel"), max_length=30, default="email")
    recipient = models.CharField(_("recipient"), max_length=254)
    payload = models.JSONField(_("payload"), default=dict)
    order = models.ForeignKey("orders.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="messages")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    # A worker holds a lease while delivering; a worker killed mid-delivery lets it expire and the sweep retries.
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.kind} → {self.recipient}"
