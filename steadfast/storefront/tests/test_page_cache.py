"""The product page's shared part is cached per catalog version; these pin down what must never go stale or leak."""

import re

import pytest
from django.test import Client

from steadfast.cacheconf import redis_caches
from steadfast.checkout.services import order_place

pytestmark = pytest.mark.django_db


def _stock_text(html):
    return re.findall(r'data-stock-label="([^"]+)"', html)


def test_an_order_shows_up_in_the_stock_on_the_product_page(client, make_variant, details):
    variant = make_variant(stock=5)
    url = variant.product.get_absolute_url()
    assert "In stock" in client.get(url).content.decode()

    order_place(lines=[(variant.pk, 4)], details=details, idempotency_key="cache-1")

    assert "Only 1 left" in client.get(url).content.decode()


def test_each_visitor_gets_a_working_csrf_token_of_their_own(make_variant):
    variant = make_variant(stock=5)
    url = variant.product.get_absolute_url()
    tokens = []
    for _ in range(2):
        visitor = Client(enforce_csrf_checks=True)
        html = visitor.get(url).content.decode()
        assert "<!--csrf-token-->" not in html
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        tokens.append(token)
        response = visitor.post("/cart/add/", {"csrfmiddlewaretoken": token, "variant": variant.pk, "quantity": "1"})
        assert response.status_code == 302  # accepted: 403 would mean someone else's cached token
    assert tokens[0] != tokens[1]


def test_shop_pages_render_when_redis_is_down(settings, make_variant):
    variant = make_variant(stock=5, name="Lantern")
    settings.CACHES = redis_caches("redis://127.0.0.1:1/0", timeout=0.2)  # what settings.py builds from REDIS_URL
    shopper = Client()
    for url in ("/", variant.product.get_absolute_url(), "/c/test-cat/"):
        response = shopper.get(url)
        assert response.status_code == 200 and "Lantern" in response.content.decode(), url
    response = shopper.post("/cart/add/", {"variant": variant.pk, "quantity": "1"})
    assert response.status_code == 302
    assert "Lantern" in shopper.get("/cart/").content.decode()


def test_a_visitor_with_a_session_never_gets_the_shared_page(make_variant):
    variant = make_variant(stock=5)
    url = variant.product.get_absolute_url()
    first_visit = Client().get(url).content.decode()  # stored for session-less visitors
    assert 'class="cart-count">0<' in first_visit.replace(" ", "") or ">0</span>" in first_visit

    shopper = Client()
    shopper.post("/cart/add/", {"variant": variant.pk, "quantity": "2"})
    assert ">2</span>" in shopper.get(url).content.decode()  # their own cart, rendered for them
    assert ">2</span>" not in Client().get(url).content.decode()  # and never handed to the next first visitor


def test_a_new_banner_reaches_first_time_visitors_at_once(make_variant):
    from steadfast.status.models import Banner

    url = make_variant(stock=5).product.get_absolute_url()
    assert 'id="status-banner"' not in Client().get(url).content.decode()  # stored without a banner

    Banner.objects.create(message="Deliveries are late this week.", phone="+48 22 100 20 30")

    assert "Deliveries are late this week." in Client().get(url).content.decode()


def test_a_message_for_one_visitor_is_never_cached_for_everyone(make_variant):
    variant = make_variant(stock=5)
    url = variant.product.get_absolute_url()
    # A visitor without a session posts a bad variant; the shop answers with a message and a redirect back.
    prankster = Client()
    response = prankster.post("/cart/add/", {"variant": "999999", "quantity": "1"}, HTTP_REFERER=url)
    assert response.status_code == 302
    page = prankster.get(url, follow=True).content.decode()
    assert "not available" in page  # they see their own message

    for _ in range(2):
        assert "not available" not in Client().get(url).content.decode()


def test_unused_query_parameters_do_not_create_cache_entries(make_variant):
    from django.core.cache import caches

    from steadfast.catalog.cache import catalog_version

    variant = make_variant(stock=5, name="Lantern")
    url = variant.product.get_absolute_url()
    lenient = caches["lenient"]
    Client().get(url)  # the one entry for this page
    version = catalog_version()

    def page_keys():
        raw = [k for k in _all_keys(lenient) if f"page:{version}:" in k]
        return len(raw)

    before = page_keys()
    for n in range(20):
        assert "Lantern" in Client().get(f"{url}?utm_source=x{n}").content.decode()
        Client().get(f"/c/test-cat/?utm={n}&sort=price_asc")
        Client().get(f"/c/test-cat/?min_price={n}")  # a price filter is rendered fresh, never stored
    assert page_keys() - before == 1  # only /c/test-cat/?sort=price_asc was added

    # The page a visitor gets keeps only the parameters the page uses in its links.
    html = Client().get("/c/test-cat/?utm=evil&sort=price_asc").content.decode()
    assert "utm=evil" not in html


def _all_keys(cache):
    if hasattr(cache, "keys"):  # django-redis
        return [str(k) for k in cache.keys("*")]
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM steadfast_cache")
        return [row[0] for row in cursor.fetchall()]
