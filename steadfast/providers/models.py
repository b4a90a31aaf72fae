from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
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
    config = models.JSONField(
        _("configuration"), default=dict, blank=True, help_text=_("Non-secret settings, e.g. api_base.")
    )
    # The figure in the contract with this provider: the SLA report's error budget is measured against it.
    sla_target_pct = models.DecimalField(
        _("contract uptime, %"), max_digits=6, decimal_places=3, default=Decimal("99.900"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text=_("The monthly uptime your contract with this provider promises, e.g. 99.9. The SLA report "
                    "measures the error budget against it."),
    )

    class Meta:
        ordering = ["kind", "priority", "name"]
        verbose_name = _("provider")
        verbose_name_plural = _("providers")

    def __str__(self):
        return self.name


class Attempt(models.Model):
    """One outside call made through providers.call(): the raw material of health, SLA and incident reports."""

    class Outcome(models.TextChoices):
        OK = "ok", _("OK")
        DECLINED = "declined", _("Declined")
        UNAVAILABLE = "unavailable", _("Unavailable")
        INDETERMINATE = "indeterminate", _("Indeterminate")
        MISCONFIGURED = "misconfigured", _("Misconfigured")
        REJECTED = "rejected", _("Rejected (breaker open)")
        # The provider refused this one request as wrong (errors.Rejected): neither its health nor the customer's card.
        INVALID_REQUEST = "invalid_request", _("Request refused as wrong")

    # Outcomes that say the provider itself is unhealthy (a decline is the customer's business).
    FAILURES = (Outcome.UNAVAILABLE, Outcome.INDETERMINATE, Outcome.MISCONFIGURED)

    provider = models.ForeignKey(Provider, models.CASCADE, related_name="attempts", verbose_name=_("provider"))
    operation = models.CharField(_("operation"), max_length=50)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    error_class = models.CharField(_("error class"), max_length=100, blank=True)
    message = models.CharField(_("message"), max_length=500, blank=True)
    latency_ms = models.PositiveIntegerField(_("latency (ms)"), default=0)
    reference = models.CharField(_("reference"), max_length=100, blank=True, help_text=_("e.g. an order number"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["provider", "created_at"], name="attempt_provider_created")]
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")

    def __str__(self):
        return f"{self.provider_id} {self.operation} {self.outcome}"


class HealthEvent(models.Model):
    """A breaker transition (or a staff enable/disable). Feeds the status page, alerts and uptime reports."""

    class State(models.TextChoices):
        CLOSED = "closed", _("Working")
        OPEN = "open", _("Out of service")
        HALF_OPEN = "half_open", _("Testing recovery")
        DISABLED = "disabled", _("Disabled by staff")

    provider = models.ForeignKey(Provider, models.CASCADE, related_name="health_events", verbose_name=_("provider"))
    from_state = models.CharField(_("from"), max_length=20, choices=State.choices)
    to_state = models.CharField(_("to"), max_length=20, choices=State.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["provider", "created_at"], name="healthevent_provider_created")]
        verbose_name = _("health event")
        verbose_name_plural = _("health events")

    def __str__(self):
        return f"{self.provider_id}: {self.from_state} -> {self.to_state}"


class ProviderAudit(models.Model):
    """Who changed a provider by hand, when and why (admin or CLI)."""

    class Action(models.TextChoices):
        ENABLE = "enable", _("Enabled")
        DISABLE = "disable", _("Disabled")
        CONFIGURE = "configure", _("Configured")
        DRILL_START = "drill_start", _("Fire drill started")
        DRILL_END = "drill_end", _("Fire drill ended")

    provider = models.ForeignKey(Provider, models.CASCADE, related_name="audits", verbose_name=_("provider"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("user")
    )
    actor = models.CharField(_("actor"), max_length=150, blank=True, help_text=_("User name, or cli:<account>."))
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    reason = models.CharField(_("reason"), max_length=500)
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("provider audit entry")
        verbose_name_plural = _("provider audit log")

    def __str__(self):
        return f"{self.provider_id} {self.action} by {self.actor}"


class ProviderHealth(Provider):
    """Admin-only proxy: gives the "Provider health" page its own entry on the admin index."""

    class Meta:
        proxy = True
        verbose_name = _("provider health")
        verbose_name_plural = _("provider health")


class AlertEpisode(models.Model):
    """One stretch of trouble with a provider: staff hear of it once, get reminders at growing intervals while it
    lasts, and hear once that it is over (providers/alerting.py). Not one e-mail per failed call or trial."""

    class Kind(models.TextChoices):
        OUT = "out", _("Out of service")
        BACKGROUND = "background", _("Background calls failing")

    provider = models.ForeignKey(Provider, models.CASCADE, related_name="alert_episodes", verbose_name=_("provider"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    began_at = models.DateTimeField(_("first failure"))
    opened_at = models.DateTimeField(_("alerted"), auto_now_add=True)
    alerts_sent = models.PositiveIntegerField(_("alerts sent"), default=0)
    next_reminder_at = models.DateTimeField(_("next reminder"), null=True, blank=True)
    closed_at = models.DateTimeField(_("over"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("alert episode")
        verbose_name_plural = _("alert episodes")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "kind"], condition=models.Q(closed_at__isnull=True), name="one_open_alert_episode"
            ),
        ]
        indexes = [models.Index(fields=["closed_at", "next_reminder_at"], name="alertepisode_due")]

    def __str__(self):
        return f"{self.provider_id} {self.kind} since {self.began_at:%Y-%m-%d %H:%M}"
