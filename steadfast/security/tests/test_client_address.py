"""The customer's address behind a real nginx: limits key on the customer, never on the proxy or a forged header."""

import ipaddress
import logging
from urllib.parse import urlparse

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory

from steadfast.env import env_networks
from steadfast.security.clientip import ClientAddressFilter, client_address
from steadfast.security.tests.nginx import Browser, nginx_proxy

LOOPBACK_PROXY = [ipaddress.ip_network("127.0.0.1/32")]


def request_from(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(("remote", "forwarded", "expected"), [
    ("127.0.0.1", "203.0.113.7", "203.0.113.7"),                     # nginx on this machine
    ("127.0.0.1", "6.6.6.6, 203.0.113.7", "203.0.113.7"),            # client-written hop left of the real one
    ("127.0.0.1", "203.0.113.7, 10.0.0.2", "203.0.113.7"),           # two of our proxies (10.0.0.0/8 trusted)
    ("198.51.100.4", "203.0.113.7", "198.51.100.4"),                 # not a proxy: the header is ignored
    ("127.0.0.1", "not-an-ip, 203.0.113.7", "203.0.113.7"),
    ("127.0.0.1", "203.0.113.7, garbage", "127.0.0.1"),              # nothing a proxy vouched for
    ("127.0.0.1", None, "127.0.0.1"),
    ("127.0.0.1", "[2001:db8::1]", "2001:db8::1"),
])
def test_client_address_takes_the_first_untrusted_hop_from_the_right(settings, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = [*LOOPBACK_PROXY, ipaddress.ip_network("10.0.0.0/8")]
    assert client_address(request_from(remote, forwarded)) == expected


def test_without_trusted_proxies_the_header_is_never_believed(settings):
    settings.TRUSTED_PROXIES = []
    assert client_address(request_from("127.0.0.1", "203.0.113.7")) == "127.0.0.1"


def test_trusted_proxies_setting_is_strict(monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8, ::1")
    assert [str(n) for n in env_networks("TRUSTED_PROXIES")] == ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]
    monkeypatch.setenv("TRUSTED_PROXIES", "127.0.0.1,nginx.local")
    with pytest.raises(Exception, match="TRUSTED_PROXIES='nginx.local' is invalid"):
        env_networks("TRUSTED_PROXIES")


def test_log_lines_name_the_customer_not_the_proxy(settings):
    settings.TRUSTED_PROXIES = LOOPBACK_PROXY
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Not Found: /x", (), None)
    record.request = request_from("127.0.0.1", "203.0.113.7")
    ClientAddressFilter().filter(record)
    assert record.client == "203.0.113.7"
    plain = logging.LogRecord("steadfast", logging.INFO, __file__, 1, "tick", (), None)
    ClientAddressFilter().filter(plain)
    assert plain.client == "-"


@pytest.fixture
def proxied_shop(live_server, tmp_path, settings, transactional_db):
    settings.TRUSTED_PROXIES = LOOPBACK_PROXY
    settings.AXES_FAILURE_LIMIT = 3
    with nginx_proxy(tmp_path / "nginx", live_server.url) as port:
        yield port


def test_wrong_passwords_from_one_customer_behind_nginx_lock_out_only_that_customer(proxied_shop, live_server,
                                                                                    django_user_model):
    django_user_model.objects.create_user("bob@example.com", "bob@example.com", "correct-horse-42")
    # The attacker forges X-Forwarded-For; nginx appends the address it really saw (127.0.0.5).
    attacker = Browser(proxied_shop, "127.0.0.5", {"X-Forwarded-For": "203.0.113.99"})
    statuses = [attacker.post_form("/account/login/", {"username": f"victim{n}@example.com", "password": "x"})[0]
                for n in range(4)]
    assert statuses == [200, 200, 429, 429], statuses  # the third wrong password locks this address out
    attempts = list(AccessAttempt.objects.values_list("ip_address", flat=True).distinct())
    assert attempts == ["127.0.0.5"], f"lockout keyed on {attempts}, expected the customer's address"

    # Another customer behind the same nginx is not affected.
    status, body = Browser(proxied_shop, "127.0.0.6").post_form(
        "/account/login/", {"username": "bob@example.com", "password": "correct-horse-42"})
    assert status == 302, (status, body[:300])

    # A client connecting to the shop directly (not through a trusted proxy) cannot pose as another address.
    direct = Browser(urlparse(live_server.url).port, "127.0.0.7", {"X-Forwarded-For": "127.0.0.5"})
    status, body = direct.post_form("/account/login/", {"username": "bob@example.com", "password": "correct-horse-42"})
    assert status == 302, (status, body[:300])
