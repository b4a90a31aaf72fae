"""The shop-mode middleware with the database (and the database cache) refusing every query."""

import logging

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import OperationalError, connection
from django.http import HttpResponse
from django.test import RequestFactory

from steadfast.status import middleware
from steadfast.status.middleware import ShopModeMiddleware
from steadfast.status.selectors import mode_cache_clear
from steadfast.status.services import shop_mode_set

pytestmark = pytest.mark.django_db


def database_down(execute, sql, params, many, context):
    raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")


def view(request):
    return HttpResponse("the page")


def request_to(path):
    request = RequestFactory().get(path)
    request.user = AnonymousUser()
    return request


@pytest.fixture
def fresh_process(monkeypatch):
    # A process that has not read the mode yet (the module keeps the last mode it read).
    monkeypatch.setattr(middleware, "_last_known", None)


def test_database_down_means_open_and_a_log_line_not_a_500(fresh_process, caplog):
    mode_cache_clear()
    with connection.execute_wrapper(database_down), caplog.at_level(logging.ERROR, "steadfast.status.middleware"):
        response = ShopModeMiddleware(view)(request_to("/p/some-product/"))
    assert response.status_code == 200 and response.content == b"the page"
    assert "Cannot read the shop mode" in caplog.text and "Connection refused" in caplog.text


def test_database_down_keeps_the_last_mode_this_process_saw(fresh_process, caplog):
    shop_mode_set("maintenance", reason="moving servers", actor="cli")
    shop = ShopModeMiddleware(view)
    assert shop(request_to("/")).status_code == 503  # read once while the database works
    mode_cache_clear()

    with connection.execute_wrapper(database_down), caplog.at_level(logging.ERROR, "steadfast.status.middleware"):
        response = shop(request_to("/"))

    assert response.status_code == 503 and response["Retry-After"]
    assert b"the page" not in response.content
    assert "using the last known mode: maintenance" in caplog.text
