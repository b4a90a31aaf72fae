"""The on-call rota: who is paged first when the shop is down. Kept in the shop (staff edit it in the admin) and
pulled by steadfast-watch while the shop is alive, so the watcher can follow it when the shop is dead."""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def shop_time_zone() -> str:
    return settings.TIME_ZONE


def time_zone_validate(value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(_("%(value)s is not a time zone name; use one such as Europe/Warsaw or "
                                "America/New_York.") % {"value": value}) from None


WEEKDAYS = [(str(i), name) for i, name in enumerate(
    (_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")))]


class OnCallPerson(models.Model):
    name = models.CharField(_("name"), max_length=120)
    phone = models.CharField(_("phone (SMS)"), max_length=32, blank=True, help_text=_("International format, e.g. "
                                                                                    "+48 600 100 200."))
    telegram_chat_id = models.CharField(_("Telegram chat id"), max_length=40, blank=True,
                                        help_text=_("The person's chat with the watcher's bot."))
    email = models.EmailField(_("e-mail"), blank=True, help_text=_("Preferably not on the shop's own mail server."))
    position = models.PositiveIntegerField(_("escalation order"), default=0,
                                           help_text=_("After the person on call, the others are paged in this "
                                                       "order."))
    is_active = models.BooleanField(_("active"), default=True)
    # Someone covering nights from another continent keeps their own clock: their shifts and quiet hours are read
    # in this zone.
    time_zone = models.CharField(_("time zone"), max_length=64, default=shop_time_zone,
                                 validators=[time_zone_validate],
                                 help_text=_("IANA name, e.g. Europe/Warsaw. This person's shifts and quiet hours "
                                             "are in this zone."))
    # Non-critical alerts ("degraded": the shop sells, something is wrong) skip this person in these hours; "down"
    # always pages. An end before the start runs past midnight.
    quiet_from = models.TimeField(_("quiet from"), null=True, blank=True,
                                  help_text=_("No non-critical alerts between these times (the person's time zone)."))
    quiet_until = models.TimeField(_("quiet until"), null=True, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("on-call person")
        verbose_name_plural = _("on-call people")

    def __str__(self):
        return self.name

    def clean(self):
        if not (self.phone or self.telegram_chat_id or self.email):
            raise ValidationError(_("Enter at least one way to reach this person: phone, Telegram or e-mail."))
        if (self.quiet_from is None) != (self.quiet_until is None):
            raise ValidationError(_("Enter both ends of the quiet hours, or neither."))


class OnCallShift(models.Model):
    """A weekly pattern: this person is on call on these weekdays between these times (the person's time zone). An
    end at or before the start runs past midnight."""

    person = models.ForeignKey(OnCallPerson, models.CASCADE, related_name="shifts", verbose_name=_("person"))
    weekdays = models.CharField(_("weekdays"), max_length=7, default="0123456",
                                help_text=_("Digits 0 (Monday) to 6 (Sunday), e.g. 01234 for Monday to Friday."))
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("until"))

    class Meta:
        ordering = ["person__position", "starts", "pk"]
        verbose_name = _("weekly shift")
        verbose_name_plural = _("weekly shifts")

    def __str__(self):
        return f"{self.person} {self.weekdays} {self.starts:%H:%M}-{self.ends:%H:%M}"

    def clean(self):
        if not self.weekdays or any(ch not in "0123456" for ch in self.weekdays) or \
                len(set(self.weekdays)) != len(self.weekdays):
            raise ValidationError({"weekdays": _("Use the digits 0 to 6, each at most once.")})


class OnCallOverride(models.Model):
    """A swap or holiday cover: this person is on call between these moments, before any weekly shift."""

    person = models.ForeignKey(OnCallPerson, models.CASCADE, related_name="overrides", verbose_name=_("person"))
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("override")
        verbose_name_plural = _("overrides")

    def __str__(self):
        return f"{self.person} {self.starts_at:%Y-%m-%d %H:%M}"

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The end must be after the start.")})


class AlertPage(models.Model):
    """One staff alert of the shop (notify.alerts.staff_alert_add) and who was paged for it: the person on call
    first, the next one after ONCALL_ESCALATE_MINUTES without an acknowledgement, then everyone (the staff chain).
    The messages themselves are outbox rows; their events link them here (sent, delivered come from there)."""

    class State(models.TextChoices):
        OPEN = "open", _("Open: paging")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        RESOLVED = "resolved", _("Resolved")
        INFO = "info", _("For information")  # a resolution or a follow-up: sent once, never escalated

    key = models.CharField(_("alert key"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=50)
    summary = models.CharField(_("summary"), max_length=300)
    critical = models.BooleanField(_("critical"), default=False,
                                   help_text=_("Critical alerts page people in their quiet hours too."))
    episode = models.CharField(_("episode"), max_length=120, blank=True, db_index=True,
                               help_text=_("Alerts about the same cause (one outage) share it; the all-clear "
                                           "resolves the episode's open page."))
    payload = models.JSONField(default=dict)
    order = models.JSONField(_("page order"), default=list, help_text=_("On-call people (ids) in page order."))
    level = models.PositiveSmallIntegerField(_("level"), default=0,
                                             help_text=_("The step paged last: a position in the order, or its "
                                                         "length for everyone."))
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.OPEN)
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    paged_at = models.DateTimeField(_("paged last"), default=timezone.now)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.CharField(_("acknowledged by"), max_length=150, blank=True)
    acknowledged_person = models.ForeignKey(OnCallPerson, models.SET_NULL, null=True, blank=True, related_name="+")
    acknowledged_user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                          related_name="+")
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("alert page")
        verbose_name_plural = _("alert pages")
        indexes = [models.Index(fields=["state", "paged_at"])]

    def __str__(self):
        return self.summary


class AlertPageEvent(models.Model):
    """A line of a page's history: paged (whom, by which outbox message), escalated, acknowledged, told, resolved."""

    class Action(models.TextChoices):
        PAGED = "paged", _("Paged")
        ESCALATED = "escalated", _("Escalated")
        EVERYONE = "everyone", _("Paged everyone")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        TOLD = "told", _("Told who took it")
        RESOLVED = "resolved", _("Resolved")

    page = models.ForeignKey(AlertPage, models.CASCADE, related_name="events")
    at = models.DateTimeField(_("time"), default=timezone.now)
    action = models.CharField(_("what"), max_length=12, choices=Action.choices)
    person = models.ForeignKey(OnCallPerson, models.SET_NULL, null=True, blank=True, related_name="+",
                               verbose_name=_("person"))
    message = models.ForeignKey("notify.OutboxMessage", models.SET_NULL, null=True, blank=True, related_name="+",
                                verbose_name=_("message"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("alert page event")
        verbose_name_plural = _("alert page events")

    def __str__(self):
        return f"{self.page_id} {self.action}"
