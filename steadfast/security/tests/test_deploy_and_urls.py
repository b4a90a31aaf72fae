"""The demo secret key is refused outside loopback; absolute URLs come from SITE_URL, never from the Host header."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def deploy_check(tmp_path, **env):
    clean = {k: v for k, v in os.environ.items()
             if k not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "SITE_URL", "ALLOWED_HOSTS")}
    clean.update(env, STEADFAST_DATA_DIR=str(tmp_path), DEBUG="0")
    return subprocess.run([sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT, env=clean,
                          capture_output=True, text=True)


def test_deploy_check_fails_with_the_demo_key_and_a_public_site_url(tmp_path):
    result = deploy_check(tmp_path, SITE_URL="https://shop.example.com")
    assert result.returncode != 0
    assert "steadfast.E001" in result.stderr and "SECRET_KEY" in result.stderr


def test_deploy_check_allows_the_demo_key_on_loopback(tmp_path):
    result = deploy_check(tmp_path, SITE_URL="http://127.0.0.1:8000")
    assert "steadfast.E001" not in result.stdout + result.stderr


@pytest.mark.django_db
def test_api_urls_come_from_site_url_not_the_host_header(client, settings, make_variant, details):
    from steadfast.checkout.services import order_place

    settings.SITE_URL = "https://shop.example.com"
    settings.ALLOWED_HOSTS = ["*"]
    variant = make_variant(stock=5)
    order, _ = order_place(lines=[(variant.pk, 1)], details=details, idempotency_key="site-url-1")

    product = client.get(f"/api/v1/products/{variant.product.slug}", HTTP_HOST="127.0.0.1:6666").json()
    listing = client.get("/api/v1/products", HTTP_HOST="127.0.0.1:6666").json()
    detail = client.get(f"/api/v1/orders/{order.token}", HTTP_HOST="127.0.0.1:6666").json()
    feed = client.get("/status/feed.atom", HTTP_HOST="127.0.0.1:6666").content.decode()

    assert product["url"] == "https://shop.example.com" + variant.product.get_absolute_url()
    assert listing["results"][0]["url"].startswith("https://shop.example.com/")
    assert detail["url"] == "https://shop.example.com" + order.get_absolute_url()
    assert "6666" not in str(product) + str(listing) + str(detail) + feed
    assert "https://shop.example.com/status/" in feed
