"""Times in the shop's zone, named, in one format per language (steadfast/shoptime.py, steadfast/formats/)."""

import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from steadfast.checkout.services import order_place
from steadfast.orders.services import order_mark_paid
from steadfast.shoptime import shop_date, shop_datetime
from steadfast.status.services import shop_mode_set

ROOT = Path(settings.BASE_DIR)
EVENING = datetime(2026, 11, 30, 16, 56, tzinfo=UTC)  # 17:56 in Warsaw (CET, UTC+1)
SUMMER = datetime(2026, 7, 1, 10, 5, tzinfo=UTC)  # 12:05 in Warsaw (CEST, UTC+2)


def start_and_print(expression, **env_overrides):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "TIME_ZONE", "SHOP_TIME_ZONE", "SHOP_COUNTRY")}
    env.update(DJANGO_SETTINGS_MODULE="steadfast.settings", **env_overrides)
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)


def test_the_time_zone_defaults_from_the_shop_country():
    assert start_and_print("settings.TIME_ZONE").stdout.strip() == "Europe/Warsaw"  # SHOP_COUNTRY defaults to PL
    assert start_and_print("settings.TIME_ZONE", SHOP_COUNTRY="FR").stdout.strip() == "Europe/Paris"
    assert start_and_print("settings.TIME_ZONE", SHOP_COUNTRY="DE").stdout.strip() == "Europe/Berlin"
    assert start_and_print("settings.TIME_ZONE", SHOP_COUNTRY="ES", SHOP_TIME_ZONE="Europe/Madrid"
                           ).stdout.strip() == "Europe/Madrid"
    assert start_and_print("settings.TIME_ZONE", TIME_ZONE="Asia/Tokyo").stdout.strip() == "Asia/Tokyo"


@pytest.mark.parametrize("env, message", [
    ({"SHOP_TIME_ZONE": "Europe/Warsw"}, "Environment variable SHOP_TIME_ZONE='Europe/Warsw' is invalid"),
    ({"TIME_ZONE": "CET+1"}, "Environment variable TIME_ZONE='CET+1' is invalid"),
    ({"SHOP_COUNTRY": "XX"}, "Environment variable SHOP_COUNTRY='XX' is invalid"),
    ({"SHOP_COUNTRY": "Poland"}, "Environment variable SHOP_COUNTRY='Poland' is invalid"),
    ({"SHOP_COUNTRY": "US"}, "SHOP_COUNTRY='US' spans several time zones"),
])
def test_a_bad_or_ambiguous_zone_stops_start_up_naming_the_variable(env, message):
    result = start_and_print("settings.TIME_ZONE", **env)
    assert result.returncode != 0 and message in result.stderr, result.stderr[-600:]


@pytest.mark.parametrize("language, evening, summer", [
    ("en", "30 Nov 2026, 17:56 CET", "1 Jul 2026, 12:05 CEST"),
    ("pl", "30 listopada 2026, 17:56 CET", "1 lipca 2026, 12:05 CEST"),
    ("ru", "30 ноября 2026, 17:56 CET", "1 июля 2026, 12:05 CEST"),
])
def test_one_format_per_language_in_the_shop_zone_named(settings, language, evening, summer):
    settings.TIME_ZONE = "Europe/Warsaw"
    with translation.override(language):
        assert shop_datetime(EVENING) == evening
        assert shop_datetime(SUMMER.isoformat()) == summer  # ISO strings from JSON payloads too
        assert shop_date(EVENING) == evening.rsplit(",", 1)[0]


def test_a_zone_without_abbreviation_is_named_by_offset(settings):
    settings.TIME_ZONE = "Asia/Almaty"
    with translation.override("en"):
        assert shop_datetime(EVENING) == "30 Nov 2026, 21:56 UTC+05"


@pytest.mark.django_db
def test_order_page_paid_line_has_one_full_stop_and_the_zone(client, make_variant, details, settings):
    settings.TIME_ZONE = "Europe/Warsaw"
    order, _ = order_place(lines=[(make_variant().pk, 1)], details=details, idempotency_key="tz-1")
    order_mark_paid(order, "staff")
    order.refresh_from_db()
    order.__class__.objects.filter(pk=order.pk).update(paid_at=EVENING, created_at=EVENING)
    page = client.get(order.get_absolute_url()).content.decode()
    assert "Paid on 30 Nov 2026, 17:56 CET. Thank you!" in page
    assert "placed 30 Nov 2026, 17:56 CET" in page
    assert "p.m." not in page and ".." not in page.replace("...", "")


@pytest.mark.django_db
def test_mode_notice_says_when_the_shop_is_back_in_its_zone(client, settings):
    settings.TIME_ZONE = "Europe/Warsaw"
    back = datetime(2030, 1, 15, 11, 30, tzinfo=UTC)  # 12:30 in Warsaw, winter
    shop_mode_set("catalog_only", None, "stock count", eta=back)
    page = client.get("/").content.decode()
    assert "Expected back: 15 Jan 2030, 12:30 CET" in re.sub(r"<[^>]+>", "", page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_order_page_in_a_browser_shows_shop_times(page, make_variant, details, settings):
    settings.TIME_ZONE = "Europe/Warsaw"
    order, _ = order_place(lines=[(make_variant().pk, 1)], details=details, idempotency_key="tz-2")
    order_mark_paid(order, "staff")
    order.__class__.objects.filter(pk=order.pk).update(paid_at=EVENING, created_at=EVENING)
    page.goto(order.get_absolute_url())
    assert page.get_by_text("Paid on 30 Nov 2026, 17:56 CET. Thank you!").is_visible()
    shots = ROOT / "var" / "shots"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=shots / "order-page-shop-time.png", full_page=True)
