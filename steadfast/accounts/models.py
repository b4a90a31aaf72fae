from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class VerifiedEmail(models.Model):
    """The customer proved they read this address (clicked the link we sent to it). Only then are orders placed
    as a guest with the same address shown in their account: an unproven sign-up must not see someone's orders."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="verified_email")
    email = models.EmailField(_("e-mail"))
    verified_at = models.DateTimeField(_("verified"), auto_now_add=True)

    class Meta:
        verbose_name = _("verified e-mail")
        verbose_name_plural = _("verified e-mails")

    def __str__(self):
        return self.email
