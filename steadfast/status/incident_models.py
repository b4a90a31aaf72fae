"""Incidents on the public status page, their updates, and the people subscribed to them. Registered with the status
app through status.models."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from steadfast.status.sanitize import clean_text


class IncidentStatus(models.TextChoices):
    INVESTIGATING = "investigating", _("Investigating")
    IDENTIFIED = "identified", _("Identified")
    MONITORING = "monitoring", _("Monitoring")
    RESOLVED = "resolved", _("Resolved")


class Impact(models.TextChoices):
    NONE = "none", _("None")
    MINOR = "minor", _("Minor")
    MAJOR = "major", _("Major")
    CRITICAL = "critical", _("Critical")


class Incident(models.Model):
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=20, choices=IncidentStatus.choices, default=IncidentStatus.INVESTIGATING
    )
    impact = models.CharField(_("impact"), max_length=10, choices=Impact.choices, default=Impact.MINOR)
    components = models.JSONField(
        _("affected components"),
        default=list,
        blank=True,
        help_text=_('Component ids, e.g. ["website", "payment-card"].'),
    )
    eta = models.DateTimeField(_("expected fix"), null=True, blank=True)
    postmortem = models.TextField(_("postmortem"), blank=True)
    # Set for incidents opened by the health check: at most one open incident per provider.
    provider = models.ForeignKey("providers.Provider", null=True, blank=True, on_delete=models.SET_NULL)
    automatic = models.BooleanField(_("opened automatically"), default=False)
    created_at = models.DateTimeField(_("opened"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        constraints = [
            models.UniqueConstraint(
                fields=["provider"],
                condition=~Q(status="resolved") & Q(provider__isnull=False),
                name="one_open_incident_per_provider",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # Staff-written, shown publicly (page, JSON, feed): stored as plain text with no markup (sanitize.py).
        self.title, self.postmortem = clean_text(self.title), clean_text(self.postmortem)
        super().save(*args, **kwargs)

    @property
    def is_open(self):
        return self.status != IncidentStatus.RESOLVED


class IncidentUpdate(models.Model):
    incident = models.ForeignKey(Incident, related_name="updates", on_delete=models.CASCADE)
    status = models.CharField(_("status"), max_length=20, choices=IncidentStatus.choices)
    message = models.TextField(_("public message"))
    eta = models.DateTimeField(_("expected fix"), null=True, blank=True)
    author = models.CharField(_("author"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("incident update")
        verbose_name_plural = _("incident updates")

    def __str__(self):
        return f"{self.get_status_display()}: {self.message[:60]}"

    def save(self, *args, **kwargs):
        self.message = clean_text(self.message)  # like Incident.save: plain text, no markup
        super().save(*args, **kwargs)


class Subscriber(models.Model):
    """E-mail subscriber to incident news. Double opt-in: nothing is sent but the confirmation until confirmed."""

    email = models.EmailField(_("e-mail"), unique=True)
    # One secret per subscriber authorises confirm and unsubscribe links; it is never shown anywhere else.
    token = models.CharField(max_length=64, unique=True)
    language = models.CharField(_("language"), max_length=10, default="en")
    created_at = models.DateTimeField(_("subscribed"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("status subscriber")
        verbose_name_plural = _("status subscribers")

    def __str__(self):
        return self.email

    @property
    def active(self):
        return self.confirmed_at is not None and self.unsubscribed_at is None
