"""What accounting must learn (sync rows, per target, in order), what it sent back (stock imports), and what
needs a person (conflicts)."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class SyncTarget(models.Model):
    """One accounting provider's replay state: the next sequence number, the worker's lease, backoff, 1C polling."""

    provider = models.OneToOneField("providers.Provider", models.CASCADE, related_name="sync_target",
                                    verbose_name=_("provider"))
    next_seq = models.PositiveBigIntegerField(default=1, editable=False)
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    lease_token = models.CharField(max_length=32, blank=True, editable=False)
    next_attempt_at = models.DateTimeField(null=True, blank=True, editable=False)
    failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    last_synced_at = models.DateTimeField(_("last synced"), null=True, blank=True)
    last_poll_at = models.DateTimeField(_("last poll (1C)"), null=True, blank=True)
    alerted_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("accounting target")
        verbose_name_plural = _("accounting targets")

    def __str__(self):
        return self.provider.name


class SyncRow(models.Model):
    """One order change accounting must learn about, written in the transaction of the change."""

    class Kind(models.TextChoices):
        PLACED = "placed", _("Placed")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", _("Cancelled")
        REFUNDED = "refunded", _("Refunded")
        SHIPPED = "shipped", _("Shipped")
        UPDATED = "updated", _("Updated")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        DONE = "done", _("Synced")
        CONFLICT = "conflict", _("Conflict: staff decide")
        SKIPPED = "skipped", _("Skipped by staff")

    target = models.ForeignKey(SyncTarget, models.CASCADE, related_name="rows", verbose_name=_("target"))
    seq = models.PositiveBigIntegerField(_("sequence"))
    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    order = models.ForeignKey("orders.Order", models.SET_NULL, null=True, related_name="+")
    order_number = models.CharField(_("order"), max_length=20, db_index=True)
    kind = models.CharField(_("event"), max_length=12, choices=Kind.choices)
    payload = models.JSONField(_("order as it was"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    done_at = models.DateTimeField(_("synced"), null=True, blank=True)

    class Meta:
        ordering = ["target", "seq"]
        constraints = [models.UniqueConstraint(fields=["target", "seq"], name="syncrow_target_seq")]
        indexes = [models.Index(fields=["target", "state", "seq"], name="syncrow_backlog")]
        verbose_name = _("sync row")
        verbose_name_plural = _("sync rows")

    def __str__(self):
        return f"{self.target_id}#{self.seq} {self.kind} {self.order_number}"


class RemoteOrder(models.Model):
    """Where an order lives at a target, and the version we last wrote: a newer one there means someone else
    changed it (a conflict), never something to overwrite."""

    target = models.ForeignKey(SyncTarget, models.CASCADE, related_name="remote_orders")
    order_number = models.CharField(max_length=20)
    remote_id = models.CharField(max_length=100)
    version = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["target", "order_number"], name="remoteorder_target_number")]

    def __str__(self):
        return f"{self.order_number} -> {self.remote_id}"


class Conflict(models.Model):
    """Changed on both sides: both versions, for staff to decide."""

    class Subject(models.TextChoices):
        ORDER = "order", _("Order")
        STOCK = "stock", _("Stock")

    target = models.ForeignKey(SyncTarget, models.CASCADE, related_name="conflicts", verbose_name=_("target"))
    subject = models.CharField(_("what"), max_length=10, choices=Subject.choices)
    reference = models.CharField(_("order or SKU"), max_length=64)
    ours = models.JSONField(_("our version"))
    theirs = models.JSONField(_("their version"))
    created_at = models.DateTimeField(_("found"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolution = models.CharField(_("resolution"), max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("conflict")
        verbose_name_plural = _("conflicts")

    def __str__(self):
        return f"{self.get_subject_display()} {self.reference}"


class StockImport(models.Model):
    """Stock sent to us by accounting: applied at once when it looks sane, otherwise held for staff with a report."""

    class State(models.TextChoices):
        APPLIED = "applied", _("Applied")
        HELD = "held", _("Held for approval")
        REJECTED = "rejected", _("Rejected by staff")

    source = models.CharField(_("from"), max_length=50)
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    reason = models.TextField(_("why held"), blank=True)
    changes = models.JSONField(_("changes"), default=list, help_text=_("[sku, before, after] per variant"))
    summary = models.JSONField(_("summary"), default=dict)
    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.CharField(_("decided by"), max_length=150, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("stock import")
        verbose_name_plural = _("stock imports")

    def __str__(self):
        return f"{self.source} {self.created_at:%Y-%m-%d %H:%M}"


class StockBaseline(models.Model):
    """Per target and SKU, where both sides stood after the last stock sync: accounting's figure less our orders it
    had not heard of, and the shop's stock. Movements since then on both sides that orders do not explain are a
    conflict (stock_conflicts.py)."""

    target = models.ForeignKey(SyncTarget, models.CASCADE, related_name="stock_baselines")
    sku = models.CharField(max_length=64)
    theirs = models.IntegerField()
    ours = models.IntegerField()
    at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["target", "sku"], name="stockbaseline_target_sku")]

    def __str__(self):
        return f"{self.sku}: {self.theirs}/{self.ours}"
