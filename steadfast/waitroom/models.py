from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SwitchState(models.TextChoices):
    AUTO = "auto", _("Automatic (by load)")
    ON = "on", _("On: queue new visitors")
    OFF = "off", _("Off: never queue")


class SwitchChange(models.Model):
    """Audit row: every change of the waiting room's staff switch, from the admin or `manage.py waitroom`."""

    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    actor = models.CharField(_("who"), max_length=150)
    from_state = models.CharField(_("from"), max_length=8, choices=SwitchState.choices)
    to_state = models.CharField(_("to"), max_length=8, choices=SwitchState.choices)
    reason = models.TextField(_("why"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("waiting room switch")
        verbose_name_plural = _("waiting room")
        permissions = [("switch_waitroom", _("Can switch the waiting room"))]

    def __str__(self):
        return f"{self.from_state} → {self.to_state} ({self.actor})"
