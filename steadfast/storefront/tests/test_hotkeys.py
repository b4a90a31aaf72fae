"""The keys every page reads come in one cache read per request (storefront/hotkeys.py, cachesafe.remembered): a
page must still show a change made by anyone else at once, on the next request, and a request sees its own writes."""

import re

import pytest
from django.core.cache import cache as shared_cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from steadfast.cachesafe import lenient_cache, remembered
from steadfast.status.models import Banner, Mode
from steadfast.status.services import shop_mode_set

pytestmark = pytest.mark.django_db


def _shopper_with(variant):
    shopper = Client()
    assert shopper.post("/cart/add/", {"variant": variant.pk, "quantity": "1"}).status_code == 302
    shopper.get("/cart/")  # uses up the "added" message
    return shopper


def test_a_request_sees_its_own_writes_and_the_next_one_sees_everyone_elses():
    lenient_cache.set("hot:test", "before")
    with remembered(["hot:test", "hot:missing"]):
        shared_cache.set("hot:test", "from another process")
        assert lenient_cache.get("hot:test") == "before"  # read once, at the start of the request
        assert lenient_cache.get("hot:missing", "default") == "default"
        lenient_cache.set("hot:test", "mine")
        assert lenient_cache.get("hot:test") == "mine"
        assert lenient_cache.get_or_set("hot:missing", "made") == "made"
        assert lenient_cache.get("hot:missing") == "made"
    shared_cache.set("hot:test", "from another process")
    with remembered(["hot:test"]):
        assert lenient_cache.get("hot:test") == "from another process"


def test_a_page_reads_mode_banner_and_catalog_version_in_one_query(make_variant):
    variant = make_variant(stock=5, name="Lantern")
    shopper = _shopper_with(variant)
    shopper.get("/")
    with CaptureQueriesContext(connection) as queries:
        assert shopper.get("/").status_code == 200
    cache_reads = [q["sql"] for q in queries.captured_queries if "steadfast_cache" in q["sql"]]
    if connection.vendor == "sqlite":  # the database cache; on Redis there are no cache queries at all
        assert len(cache_reads) == 2, cache_reads  # the hot keys, then the page itself
        assert "catalog:version" in cache_reads[0] and "status:mode" in cache_reads[0], cache_reads[0]


def test_a_mode_change_and_a_new_banner_show_on_the_shoppers_next_page(make_variant, admin_user):
    variant = make_variant(stock=5, name="Lantern")
    shopper = _shopper_with(variant)
    url = variant.product.get_absolute_url()
    assert 'name="quantity"' in shopper.get(url).content.decode()

    shop_mode_set(Mode.CATALOG_ONLY, message="Back tomorrow", user=admin_user)
    html = shopper.get(url).content.decode()
    assert 'name="quantity"' not in html and "Back tomorrow" in html, re.findall(r"<main.*?</h1>", html, re.S)

    Banner.objects.create(message="Free tea with every lantern", active=True)
    assert "Free tea with every lantern" in shopper.get("/").content.decode()
