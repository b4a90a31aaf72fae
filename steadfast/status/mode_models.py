"""Shop modes and what goes with them: the mode switch and its history, the emergency banner, partner shops, and the
policies that switch modes when providers fail. Registered with the status app through status.models."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from steadfast.providers.models import Provider
from steadfast.status.sanitize import clean_html


class Mode(models.TextChoices):
    OPEN = "open", _("Open")
    DEGRADED = "degraded", _("Degraded")
    CATALOG_ONLY = "catalog_only", _("Catalog only")
    PHONE_ORDERS = "phone_orders", _("Phone orders only")
    MAINTENANCE = "maintenance", _("Maintenance")


# Modes in which the shop takes no orders on the website.
ORDERING_BLOCKED = {Mode.CATALOG_ONLY, Mode.PHONE_ORDERS, Mode.MAINTENANCE}


class ShopMode(models.Model):
    """One row (pk=1): the mode the shop is in now, plus an optional scheduled mode window."""

    mode = models.CharField(_("mode"), max_length=20, choices=Mode.choices, default=Mode.OPEN)
    message = models.TextField(_("message to customers"), blank=True)
    eta = models.DateTimeField(_("expected back"), null=True, blank=True)
    until = models.DateTimeField(
        _("back to open at"), null=True, blank=True, help_text=_("The shop returns to open by itself at this time.")
    )
    # Set automatically (degraded while a provider is out) rather than by a person.
    automatic = models.BooleanField(_("set automatically"), default=False, editable=False)
    scheduled_mode = models.CharField(_("scheduled mode"), max_length=20, choices=Mode.choices, blank=True)
    scheduled_start = models.DateTimeField(_("scheduled start"), null=True, blank=True)
    scheduled_end = models.DateTimeField(_("scheduled end"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("shop mode")
        verbose_name_plural = _("shop mode")

    def __str__(self):
        return str(self.get_mode_display())


class ModeChange(models.Model):
    """Audit row: every mode change, by a person, the CLI, a schedule or the health check."""

    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    actor = models.CharField(_("who"), max_length=150)
    from_mode = models.CharField(_("from"), max_length=20, choices=Mode.choices)
    to_mode = models.CharField(_("to"), max_length=20, choices=Mode.choices)
    reason = models.TextField(_("why"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("mode change")
        verbose_name_plural = _("mode changes")

    def __str__(self):
        return f"{self.from_mode} → {self.to_mode} ({self.actor})"


class PartnerShop(models.Model):
    """Where customers can buy now while we take no orders (partners, distributors)."""

    name = models.CharField(_("name"), max_length=120)
    url = models.URLField(_("link"), max_length=500)
    note = models.CharField(_("note"), max_length=255, blank=True)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("partner shop")
        verbose_name_plural = _("partner shops")

    def __str__(self):
        return self.name


class Severity(models.TextChoices):
    INFO = "info", _("Information")
    WARNING = "warning", _("Warning")
    CRITICAL = "critical", _("Critical")


class Banner(models.Model):
    """Staff-written emergency banner shown on every page. The newest active one wins."""

    message = models.TextField(
        _("message"), help_text=_("Allowed: a, b, strong, em, i, br, p. Links: http, https, tel, mailto.")
    )
    translations = models.JSONField(
        _("translations"),
        default=dict,
        blank=True,
        help_text=_('Message per language, e.g. {"pl": "...", "ru": "..."}.'),
    )
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.WARNING)
    active = models.BooleanField(_("active"), default=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    telegram = models.URLField(_("Telegram link"), blank=True)
    whatsapp = models.URLField(_("WhatsApp link"), blank=True)
    vk = models.URLField(_("VK link"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("banner")
        verbose_name_plural = _("banners")

    def __str__(self):
        return self.message[:60]

    def save(self, *args, **kwargs):
        # Sanitised on the way in (and again on render) so the database never holds live markup.
        self.message = clean_html(self.message)
        self.translations = {str(k): clean_html(str(v)) for k, v in (self.translations or {}).items() if v}
        super().save(*args, **kwargs)
        from steadfast.status.selectors import banner_cache_clear  # selectors imports this module

        banner_cache_clear()


class Condition(models.TextChoices):
    PAYMENTS_ONLINE_OUT = "payments_online_out", _("All online payment gateways are out")
    PROVIDER_OUT = "provider_out", _("A provider of a kind is out longer than N seconds")
    ERROR_RATE_HIGH = "error_rate_high", _("Website error rate (5xx share) is high")


class Action(models.TextChoices):
    SET_MODE = "set_mode", _("Set the shop mode")
    BANNER = "banner", _("Turn on the automatic banner")
    INCIDENT = "incident", _("Open an incident")
    OFFLINE_FIRST = "offline_first", _("Show offline payment methods first")


class Policy(models.Model):
    """When a condition holds, take actions; when it stops holding, undo what can be undone. Evaluated every
    minute and on every provider health change. Only the fields the chosen condition uses matter."""

    name = models.CharField(_("name"), max_length=120)
    enabled = models.BooleanField(_("enabled"), default=True)
    condition = models.CharField(_("condition"), max_length=30, choices=Condition.choices)
    provider_kind = models.CharField(
        _("provider kind"),
        max_length=20,
        blank=True,
        choices=Provider.Kind.choices,
        help_text=_("For “a provider of a kind is out”."),
    )
    out_seconds = models.PositiveIntegerField(_("out for at least (seconds)"), default=60)
    window_minutes = models.PositiveIntegerField(_("error rate window (minutes)"), default=5)
    error_percent = models.PositiveIntegerField(_("error rate above (%)"), default=20)
    min_requests = models.PositiveIntegerField(
        _("minimum requests"), default=20, help_text=_("Fewer requests in the window never count as a high rate.")
    )
    actions = models.JSONField(_("actions"), default=list, blank=True)
    mode = models.CharField(_("mode to set"), max_length=20, choices=Mode.choices, default=Mode.DEGRADED)
    message = models.TextField(
        _("message"), blank=True, help_text=_("Banner and incident text; a text matching the condition if empty.")
    )
    # Set while the policy has fired and its condition still holds: actions are taken once per activation.
    active_since = models.DateTimeField(_("active since"), null=True, blank=True, editable=False)
    incident = models.ForeignKey(
        "status.Incident", null=True, blank=True, on_delete=models.SET_NULL, editable=False, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("policy")
        verbose_name_plural = _("policies")

    def __str__(self):
        return self.name


class PolicyEvent(models.Model):
    """Audit row: a policy fired or cleared, and each action it took (or chose not to take, and why)."""

    policy = models.ForeignKey(Policy, related_name="events", on_delete=models.CASCADE)
    action = models.CharField(_("action"), max_length=20)
    detail = models.TextField(_("detail"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("policy event")
        verbose_name_plural = _("policy events")

    def __str__(self):
        return f"{self.policy_id} {self.action}"
