from django.db import models
from django.utils.translation import gettext_lazy as _


class Provider(models.Model):
    """One outside service (payment gateway, carrier, message channel, accounting system) or offline method.

    Secrets never live here: adapters read them from STEADFAST_<CODE>_<NAME> environment variables.
    """

    class Kind(models.TextChoices):
        PAYMENT = "payment", _("Payment")
        SHIPPING = "shipping", _("Delivery")
        NOTIFY = "notify", _("Messages")
        ACCOUNTING = "accounting", _("Accounting")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    code = models.SlugField(_("code"), max_length=50, unique=True)
    adapter = models.CharField(_("adapter"), max_length=50, help_text=_("Key in STEADFAST_ADAPTERS."))
    name = models.CharField(_("display name"), max_length=120)
    description = models.TextField(_("description shown to customers"), blank=True)
    priority = models.IntegerField(_("priority"), default=100, help_text=_("Lower comes first."))
    enabled = models.BooleanField(_("enabled"), default=True)
    config = models.JSONField(_("configuration"), default=dict, blank=True, help_text=_("Non-secret settings, e.g. api_base."))

    class Meta:
        ordering = ["kind", "priority", "name"]
        verbose_name = _("provider")
        verbose_name_plural = _("providers")

    def __str__(self):
        return self.name
