"""Times as shoppers and staff read them: in the shop's time zone (settings.TIME_ZONE, from SHOP_COUNTRY or
SHOP_TIME_ZONE), in the one date format of the active language (steadfast/formats/), with the zone named.

Pages, e-mails and texts written into the database (incident updates, staff alerts) all go through here, so one
shop never mixes "2026-11-30 18:08 UTC" with "Nov. 30, 2026, 6:10 p.m.". Templates use the |shop_datetime and
|shop_date filters (built in: no {% load %} needed; |shop_datetime:"j M, H:i" for a compact column); admin
model fields go through steadfast.adminkit.ShopTimeAdminMixin."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import formats, timezone


def shop_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _as_datetime(value):
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if value else None  # JSON payloads and snapshots keep ISO strings
    return value


def shop_localtime(value) -> datetime | None:
    value = _as_datetime(value)
    if value is None:
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_fixed_timezone(0))
    return value.astimezone(shop_zone())


def zone_label(moment: datetime) -> str:
    """CET / CEST, or UTC+05 where the zone has no abbreviation (tzdata then gives a bare "+05")."""
    name = moment.tzname() or ""
    return f"UTC{name}" if name[:1] in "+-" else name


def shop_datetime(value, format_name="DATETIME_FORMAT") -> str:
    """30 Nov 2026, 17:56 CET (English); 30 listopada 2026, 17:56 CET (Polish).

    `format_name` is a format setting or a date format string, for compact columns ("j M, H:i" → 30 Nov, 17:56 CET):
    shorter, never unnamed."""
    moment = shop_localtime(value)
    if moment is None:
        return ""
    return f"{formats.date_format(moment, format_name)} {zone_label(moment)}"


def shop_date(value) -> str:
    """30 Nov 2026: the day in the shop's zone."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return formats.date_format(value, "DATE_FORMAT")
    moment = shop_localtime(value)
    return formats.date_format(moment, "DATE_FORMAT") if moment is not None else ""
