from django.db import models
from django.utils.translation import gettext_lazy as _


class SyntheticRun(models.Model):
    """One synthetic checkout: the storefront's own HTTP flow with the hidden product, one payment and one delivery
    method. Steps are [{"step", "ok", "detail"}]; the order it made is cancelled straight after (and flagged
    synthetic, so it never counts as business)."""

    started_at = models.DateTimeField(_("started"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    ok = models.BooleanField(_("passed"), default=False)
    payment_method = models.CharField(_("payment method"), max_length=50)
    delivery_method = models.CharField(_("delivery method"), max_length=50)
    failed_step = models.CharField(_("failed step"), max_length=40, blank=True)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    order_number = models.CharField(_("order"), max_length=20, blank=True)
    steps = models.JSONField(_("steps"), default=list)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("synthetic checkout")
        verbose_name_plural = _("synthetic checkouts")

    def __str__(self):
        return f"{self.payment_method}/{self.delivery_method} {'ok' if self.ok else 'failed'}"
