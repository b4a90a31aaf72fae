"""A bad environment variable stops start-up with a message naming it (steadfast/env.py, steadfast/settings.py)."""

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from steadfast.env import env_bool, env_decimal, env_float, env_int, env_list, env_str, env_url

ROOT = Path(settings.BASE_DIR)
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k" * 20 + "Q7#x9!mZ2@pL5^vB8&nR4*tY6(wC3)",
    "ALLOWED_HOSTS": "shop.example.com",
    "SITE_URL": "https://shop.example.com",
}


def start(**overrides):
    """Load the settings in a fresh interpreter, as gunicorn or manage.py would."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(DJANGO_SETTINGS_MODULE="steadfast.settings", **overrides)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, env=env, capture_output=True, text=True
    )


@pytest.mark.parametrize(
    "name, value",
    [
        ("RESERVATION_MINUTES", "abc"),
        ("RESERVATION_MINUTES", "0"),
        ("DEBUG", "maybe"),
        ("SHOP_CURRENCY", "euro"),
        ("DATABASE_URL", "mysql://x"),
        ("REDIS_URL", "http://127.0.0.1:6379"),
        ("LANGUAGE_CODE", "de"),
        ("EMAIL_PORT", "70000"),
        ("SHOP_FREE_DELIVERY_OVER", "ten"),
        ("SHIPPING_QUOTE_DEADLINE", "fast"),
        ("SHIPPING_QUOTE_DEADLINE", "90"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(name, value):
    result = start(**{name: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"Environment variable {name}=" in result.stderr
    assert repr(value) in result.stderr


def test_a_public_host_without_secret_key_stops_start_up():
    result = start(**{**PRODUCTION, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_production_settings_start_and_pass_the_deploy_check(tmp_path):
    assert start(**PRODUCTION).returncode == 0
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(PRODUCTION, STEADFAST_DATA_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_env_int(monkeypatch):
    assert env_int("STEADFAST_T_INT", 7) == 7
    monkeypatch.setenv("STEADFAST_T_INT", " 12 ")
    assert env_int("STEADFAST_T_INT", 7, 1, 60) == 12
    monkeypatch.setenv("STEADFAST_T_INT", "")
    assert env_int("STEADFAST_T_INT", 7) == 7
    monkeypatch.setenv("STEADFAST_T_INT", "61")
    with pytest.raises(ImproperlyConfigured, match=r"STEADFAST_T_INT='61' is invalid: expected an integer between 1"):
        env_int("STEADFAST_T_INT", 7, 1, 60)
    monkeypatch.setenv("STEADFAST_T_INT", "1.5")
    with pytest.raises(ImproperlyConfigured, match="STEADFAST_T_INT='1.5' is invalid: expected an integer"):
        env_int("STEADFAST_T_INT", 7)


@pytest.mark.parametrize("value, expected", [("1", True), ("Yes", True), ("on", True), ("0", False), ("off", False),
                                             ("", False), ("FALSE", False)])
def test_env_bool_accepts_the_usual_spellings(monkeypatch, value, expected):
    monkeypatch.setenv("STEADFAST_T_BOOL", value)
    assert env_bool("STEADFAST_T_BOOL", not expected) is expected


def test_env_bool_rejects_anything_else(monkeypatch):
    assert env_bool("STEADFAST_T_BOOL", True) is True
    monkeypatch.setenv("STEADFAST_T_BOOL", "maybe")
    with pytest.raises(ImproperlyConfigured, match="STEADFAST_T_BOOL='maybe'"):
        env_bool("STEADFAST_T_BOOL", False)


def test_env_str_with_choices(monkeypatch):
    assert env_str("STEADFAST_T_STR", "en", choices=("en", "pl")) == "en"
    monkeypatch.setenv("STEADFAST_T_STR", "pl")
    assert env_str("STEADFAST_T_STR", "en", choices=("en", "pl")) == "pl"
    monkeypatch.setenv("STEADFAST_T_STR", "de")
    with pytest.raises(ImproperlyConfigured, match="STEADFAST_T_STR='de' is invalid: expected one of en, pl"):
        env_str("STEADFAST_T_STR", "en", choices=("en", "pl"))


def test_env_decimal_never_goes_through_float(monkeypatch):
    assert env_decimal("STEADFAST_T_DEC", "4.90") == Decimal("4.90")
    monkeypatch.setenv("STEADFAST_T_DEC", "0.10")
    assert str(env_decimal("STEADFAST_T_DEC", "0")) == "0.10"
    monkeypatch.setenv("STEADFAST_T_DEC", "ten")
    with pytest.raises(ImproperlyConfigured, match="STEADFAST_T_DEC='ten'"):
        env_decimal("STEADFAST_T_DEC", "0")


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    assert env_list("STEADFAST_T_LIST", ["a"]) == ["a"]
    monkeypatch.setenv("STEADFAST_T_LIST", " shop.example.com, ,www.shop.example.com ")
    assert env_list("STEADFAST_T_LIST") == ["shop.example.com", "www.shop.example.com"]


def test_env_url_checks_the_scheme(monkeypatch):
    assert env_url("STEADFAST_T_URL", "", schemes=("redis",)) == ""
    monkeypatch.setenv("STEADFAST_T_URL", "redis://127.0.0.1:6379/0")
    assert env_url("STEADFAST_T_URL", "", schemes=("redis",)) == "redis://127.0.0.1:6379/0"
    monkeypatch.setenv("STEADFAST_T_URL", "127.0.0.1:6379")
    with pytest.raises(ImproperlyConfigured, match="STEADFAST_T_URL='127.0.0.1:6379' is invalid: expected a URL"):
        env_url("STEADFAST_T_URL", "", schemes=("redis",))


@pytest.mark.parametrize("value, expected", [(None, 2.0), ("", 2.0), ("0.5", 0.5), (" 30 ", 30.0)])
def test_env_float_reads_numbers_within_bounds(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv("SF_TEST_SECONDS", raising=False)
    else:
        monkeypatch.setenv("SF_TEST_SECONDS", value)
    assert env_float("SF_TEST_SECONDS", 2, 0.1, 30) == expected


@pytest.mark.parametrize("value", ["fast", "0.05", "31", "nan", "inf", "1,5"])
def test_env_float_refuses_a_bad_value_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv("SF_TEST_SECONDS", value)
    with pytest.raises(ImproperlyConfigured, match=f"Environment variable SF_TEST_SECONDS={value!r} is invalid"):
        env_float("SF_TEST_SECONDS", 2, 0.1, 30)
