"""Records of the public status page: planned maintenance windows and checks of the shop's own website."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from steadfast.status.mode_models import Mode


class MaintenanceWindow(models.Model):
    """A planned window in which the shop runs in a reduced mode (maintenance by default), announced in advance on
    the status page, its JSON and feed. The earliest window not yet over is mirrored into ShopMode.scheduled_*,
    which is what enforces it (status.maintenance.maintenance_sync)."""

    title = models.CharField(_("title"), max_length=200)
    message = models.TextField(_("public message"), blank=True)
    mode = models.CharField(_("mode"), max_length=20, choices=Mode.choices, default=Mode.MAINTENANCE)
    starts_at = models.DateTimeField(_("starts"), db_index=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    components = models.JSONField(_("affected components"), default=list, blank=True)
    author = models.CharField(_("author"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("announced"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("maintenance window")
        verbose_name_plural = _("maintenance windows")

    def __str__(self):
        return f"{self.title} ({self.starts_at:%Y-%m-%d %H:%M})"


class OriginCheck(models.Model):
    """One recorded check of the shop's own website (GET <origin>/healthz), every minute from the worker and on
    every `status export`: the only source of the website's uptime bars."""

    class Outcome(models.TextChoices):
        UP = "up", _("Up")
        DOWN = "down", _("Not answering")
        MAINTENANCE = "maintenance", _("Maintenance")

    created_at = models.DateTimeField(_("checked"), default=timezone.now, db_index=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    latency_ms = models.PositiveIntegerField(_("latency (ms)"), default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("website check")
        verbose_name_plural = _("website checks")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.outcome}"
