"""call(): timeouts, error classification and one Attempt row per call, against the generic fake."""

import socket

import pytest
from django.db import transaction

from steadfast.providers.errors import Declined, Indeterminate, Misconfigured, Unavailable
from steadfast.providers.models import Attempt, HealthEvent
from steadfast.providers.secrets import provider_secret_env
from steadfast.providers.selectors import provider_state
from steadfast.providers.tests.adapters import ping

pytestmark = pytest.mark.django_db


def test_ok_returns_the_result_and_records_the_attempt(make_provider, fake_server):
    provider = make_provider()

    assert ping(provider, reference="SF-1001") == {"ok": True}

    attempt = Attempt.objects.get(provider=provider)
    assert (attempt.operation, attempt.outcome, attempt.reference, attempt.error_class) == ("ping", "ok", "SF-1001", "")
    assert fake_server.requests == 1


@pytest.mark.parametrize(
    "fault, options, error, outcome, error_class",
    [
        ("status", {"status": 503}, Unavailable, "unavailable", "Unavailable"),
        ("status", {"status": 429}, Unavailable, "unavailable", "Unavailable"),
        ("status", {"status": 401}, Misconfigured, "misconfigured", "Misconfigured"),
        ("status", {"status": 402}, Declined, "declined", "Declined"),
        ("malformed", {}, Unavailable, "unavailable", "Unavailable"),
        ("reset", {}, Indeterminate, "indeterminate", "ReadError"),
        ("hang", {}, Indeterminate, "indeterminate", "ReadTimeout"),
    ],
)
def test_faults_are_classified_and_recorded(make_provider, fake_server, fault, options, error, outcome, error_class):
    provider = make_provider()
    fake_server.set_fault(fault, **options)

    with pytest.raises(error):
        ping(provider, reference="SF-1002")

    attempt = Attempt.objects.get(provider=provider)
    assert (attempt.outcome, attempt.error_class, attempt.reference) == (outcome, error_class, "SF-1002")
    assert attempt.message
    assert fake_server.requests == 1


def test_connection_refused_is_unavailable(make_provider):
    with socket.socket() as sock:  # a port that was free a moment ago and has no listener now
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    provider = make_provider(api_base=f"http://127.0.0.1:{port}")

    with pytest.raises(Unavailable):
        ping(provider)

    attempt = Attempt.objects.get(provider=provider)
    assert (attempt.outcome, attempt.error_class) == ("unavailable", "ConnectError")


def test_bad_api_base_is_misconfigured(make_provider, fake_server):
    provider = make_provider(api_base="ftp://127.0.0.1:21")

    with pytest.raises(Misconfigured):
        ping(provider)

    assert Attempt.objects.get(provider=provider).outcome == "misconfigured"
    assert provider_state(provider) == "open"


def test_declines_do_not_count_against_health(make_provider, fake_server):
    provider = make_provider()
    fake_server.set_fault("status", status=402)

    for _ in range(6):
        with pytest.raises(Declined):
            ping(provider)

    assert provider_state(provider) == "closed"
    assert not HealthEvent.objects.filter(provider=provider).exists()
    assert fake_server.requests == 6


def test_refused_inside_a_transaction(make_provider, fake_server):
    provider = make_provider()

    with transaction.atomic(), pytest.raises(RuntimeError, match="inside a database transaction"):
        ping(provider)

    assert not Attempt.objects.filter(provider=provider).exists()
    assert fake_server.requests == 0


def test_secrets_never_reach_the_attempt_row(make_provider, fake_server, monkeypatch):
    provider = make_provider()
    env = provider_secret_env(provider.code, "SECRET_KEY")
    monkeypatch.setenv(env, "sk_test_very_secret_value")

    def leaky(client):
        raise Unavailable("auth failed for key sk_test_very_secret_value")

    from steadfast.providers.call import call

    with pytest.raises(Unavailable):
        call(provider, "leak", leaky)

    assert Attempt.objects.get(provider=provider).message == "auth failed for key ***"


def test_timeouts_come_from_provider_config(make_provider, fake_server):
    provider = make_provider(read_timeout=0.2, connect_timeout=0.7)
    seen = {}

    def inspect(client):
        seen.update(base=str(client.base_url), timeout=client.timeout)

    from steadfast.providers.call import call

    call(provider, "inspect", inspect)
    assert seen["base"].rstrip("/") == fake_server.url
    assert (seen["timeout"].connect, seen["timeout"].read) == (0.7, 0.2)


def test_capped_timeouts_share_a_bounded_set_of_pooled_clients(make_provider, fake_server):
    """A customer's payment step caps each send by what is left of its budget (a different float every time); the
    pool must not grow a client, with its TLS context and connections, per distinct cap."""
    from steadfast.providers import call as calls

    provider = make_provider(read_timeout=10, connect_timeout=3)
    seen = []
    for step in range(40):
        calls.call(provider, "inspect", lambda client: seen.append(client), timeout=1 + step * 0.0917)
    pooled = {key for key in calls._clients if key[0] == provider.config["api_base"]}
    assert len(set(map(id, seen))) == len(pooled) <= 9, sorted(pooled)
    assert all(c.timeout.read <= 1 + step * 0.0917 for step, c in enumerate(seen)), "a cap must never be exceeded"
