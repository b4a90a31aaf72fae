import uuid

import pytest

from steadfast.providers.models import Provider


@pytest.fixture(autouse=True)
def _status_urls(settings):
    settings.ROOT_URLCONF = "steadfast.status.tests.urls"
    # An online gateway for the tests: the base PaymentGateway is not `offline`.
    settings.STEADFAST_ADAPTERS = {
        **settings.STEADFAST_ADAPTERS,
        "test_card": "steadfast.payments.interface.PaymentGateway",
    }


@pytest.fixture(autouse=True)
def _fresh_status_caches(request):
    # With Redis the cache outlives each test's rolled-back transaction: start from no cached mode/banner/page.
    # (Tests without database access are left alone: the default cache is a database table.)
    if not request.node.get_closest_marker("django_db") and "db" not in request.fixturenames:
        return
    request.getfixturevalue("db")
    from django.core.cache import cache

    from steadfast.status.selectors import banner_cache_clear, mode_cache_clear
    from steadfast.status.snapshot import snapshot_clear
    from steadfast.status.uptime import uptime_cache_clear

    mode_cache_clear()
    uptime_cache_clear()
    banner_cache_clear()
    snapshot_clear()
    cache.delete_many([f"status:snapshot:last:v2:{code}" for code in ("en", "pl", "ru")])


@pytest.fixture(autouse=True)
def _default_policies_off(request):
    """The data migration's policy ("all online gateways out -> incident ...") would add its own incident to
    tests about provider incidents, modes and the banner; tests of policies ask for `default_policy`."""
    if "default_policy" in request.fixturenames:
        return
    if not request.node.get_closest_marker("django_db") and "db" not in request.fixturenames:
        return
    request.getfixturevalue("db")
    from steadfast.status.models import Policy

    Policy.objects.update(enabled=False)


@pytest.fixture
def default_policy(db):
    from steadfast.status.models import Condition, Policy

    policy = Policy.objects.get(condition=Condition.PAYMENTS_ONLINE_OUT)
    assert policy.enabled and policy.actions == ["offline_first", "banner", "incident"]
    return policy


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("staffer", "staff@example.com", "pw-staff-123", is_staff=True)


@pytest.fixture
def card(db):
    # cooldown 0: the next call after opening is the trial, so a test can drive recovery without waiting.
    # A unique code: breaker state is keyed by code and mirrored in process memory across tests.
    return Provider.objects.create(
        kind=Provider.Kind.PAYMENT,
        code=f"card-{uuid.uuid4().hex[:8]}",
        adapter="test_card",
        name="Card payments",
        priority=1,
        config={"cooldown": 0},
    )


@pytest.fixture
def break_provider():
    """Open a provider's breaker the way real calls do: consecutive Unavailable outcomes."""
    from django.conf import settings

    from steadfast.providers.breaker import breaker_admit, breaker_record, breaker_view

    def drive(provider):
        for _ in range(settings.BREAKER_CONSECUTIVE):
            breaker_record(provider, breaker_admit(provider), "unavailable", "connection refused")
        assert breaker_view(provider).state == "open"

    return drive


@pytest.fixture
def recover_provider():
    from steadfast.providers.breaker import breaker_admit, breaker_record, breaker_view

    def drive(provider):
        ticket = breaker_admit(provider)
        assert ticket.trial
        breaker_record(provider, ticket, "ok")
        assert breaker_view(provider).state == "closed"

    return drive
