"""The on-call rota: who is paged first when the shop is down. Kept in the shop (staff edit it in the admin) and
pulled by steadfast-watch while the shop is alive, so the watcher can follow it when the shop is dead."""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
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
