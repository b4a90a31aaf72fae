"""The session store reads the session row with plain SQL (steadfast/sessionstore.py): the cart must still be the
shopper's across requests, an expired session must not come back, and a made-up session id gets nobody's cart."""

import re
from datetime import timedelta
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.test import Client
from django.utils import timezone

pytestmark = pytest.mark.django_db


def _cart_count(response):
    return re.search(r'class="cart-count[^"]*" aria-hidden="true">(\d+)<', response.content.decode()).group(1)


def _shopper_with(variant, quantity):
    shopper = Client()
    assert shopper.post("/cart/add/", {"variant": variant.pk, "quantity": str(quantity)}).status_code == 302
    return shopper


def test_the_engine_is_the_plain_sql_store():
    assert settings.SESSION_ENGINE in ("steadfast.sessionstore", "django.contrib.sessions.backends.cached_db")


def test_a_shoppers_cart_is_read_back_on_every_page(make_variant):
    variant = make_variant(stock=9, name="Lantern")
    shopper = _shopper_with(variant, 3)
    assert _cart_count(shopper.get("/")) == "3"
    assert "Lantern" in shopper.get("/cart/").content.decode()
    assert _cart_count(shopper.get(variant.product.get_absolute_url())) == "3"


def test_an_expired_session_does_not_come_back(make_variant):
    variant = make_variant(stock=9, name="Lantern")
    shopper = _shopper_with(variant, 2)
    key = shopper.cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if hasattr(store, "cache_key_prefix"):  # Redis (cached_db): its copy of the session expires with the row
        caches[settings.SESSION_CACHE_ALIAS].delete(store.cache_key_prefix + key)

    assert _cart_count(shopper.get("/")) == "0"
    assert "Lantern" not in shopper.get("/cart/").content.decode()


def test_a_made_up_session_id_gets_an_empty_cart(make_variant):
    variant = make_variant(stock=9, name="Lantern")
    _shopper_with(variant, 2)
    stranger = Client()
    stranger.cookies[settings.SESSION_COOKIE_NAME] = "x" * 32
    assert _cart_count(stranger.get("/")) == "0"
    stranger.cookies[settings.SESSION_COOKIE_NAME] = "'; DROP TABLE django_session; --"
    assert _cart_count(stranger.get("/")) == "0"
    assert Session.objects.count() == 1
