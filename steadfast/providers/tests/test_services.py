"""Manual changes: audited, with a reason; bad input changes nothing."""

import pytest

from steadfast.providers.errors import Unavailable
from steadfast.providers.models import HealthEvent, Provider, ProviderAudit
from steadfast.providers.selectors import provider_state, providers_available
from steadfast.providers.services import (
    ProviderChangeError,
    provider_configure,
    provider_disable,
    provider_enable,
    provider_secret,
)
from steadfast.providers.tests.adapters import ping

pytestmark = pytest.mark.django_db


def test_disable_then_enable_is_audited_with_health_events(make_provider, admin_user):
    provider = make_provider()

    provider_disable(provider, admin_user, "Gateway announced maintenance")
    provider.refresh_from_db()
    assert not provider.enabled
    assert provider_state(provider) == "disabled"
    assert provider.code not in [p.code for p in providers_available("payment")]

    provider_enable(provider, admin_user, "Maintenance over")
    provider.refresh_from_db()
    assert provider.enabled and provider_state(provider) == "closed"

    audits = ProviderAudit.objects.filter(provider=provider).order_by("id")
    assert [(a.action, a.actor, a.reason) for a in audits] == [
        ("disable", "admin", "Gateway announced maintenance"), ("enable", "admin", "Maintenance over"),
    ]
    events = HealthEvent.objects.filter(provider=provider).order_by("id").values_list("from_state", "to_state")
    assert list(events) == [("closed", "disabled"), ("disabled", "closed")]


def test_enable_starts_from_a_clean_breaker(make_provider, fake_server):
    provider = make_provider()
    fake_server.set_fault("status", status=503)
    for _ in range(3):
        with pytest.raises(Unavailable):
            ping(provider)
    provider_disable(provider, None, "broken", actor="cli:ops")
    fake_server.set_fault("ok")

    provider_enable(provider, None, "fixed", actor="cli:ops")

    assert ping(provider) == {"ok": True}
    assert ProviderAudit.objects.filter(provider=provider, actor="cli:ops").count() == 2


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_reason_is_required_and_nothing_changes_without_one(make_provider, reason):
    provider = make_provider()

    with pytest.raises(ProviderChangeError, match="reason is required"):
        provider_disable(provider, None, reason)

    assert Provider.objects.get(pk=provider.pk).enabled
    assert not ProviderAudit.objects.exists()
    assert not HealthEvent.objects.filter(provider=provider).exists()


def test_configure_records_old_and_new_value(make_provider, admin_user):
    provider = make_provider(read_timeout=0.5)

    provider_configure(provider, admin_user, "read_timeout", "4", "Gateway is slow at night")

    assert Provider.objects.get(pk=provider.pk).config["read_timeout"] == 4.0
    audit = ProviderAudit.objects.get(provider=provider)
    assert (audit.action, audit.details) == ("configure", {"key": "read_timeout", "old": 0.5, "new": 4.0})


@pytest.mark.parametrize(
    "key, value, message",
    [
        ("secret_key", "sk_live_123", "looks like a secret"),
        ("webhook_signing_secret", "whsec", "looks like a secret"),
        ("api_base", "ftp://example.com", "must be an http"),
        ("read_timeout", "-1", "between 0 and 300"),
        ("read_timeout", "soon", "between 0 and 300"),
        ("Bad Key", "1", "Invalid key"),
    ],
)
def test_configure_refuses_bad_input_and_changes_nothing(make_provider, key, value, message):
    provider = make_provider()
    before = dict(provider.config)

    with pytest.raises(ProviderChangeError, match=message):
        provider_configure(provider, None, key, value, "trying")

    assert Provider.objects.get(pk=provider.pk).config == before
    assert not ProviderAudit.objects.exists()


def test_configure_closes_an_open_breaker(make_provider, fake_server):
    provider = make_provider()
    fake_server.set_fault("status", status=401)
    with pytest.raises(Exception, match="401"):
        ping(provider)
    assert provider_state(provider) == "open"
    fake_server.set_fault("ok")

    provider_configure(provider, None, "account", "shop-2", "new account id", actor="cli:ops")

    assert provider_state(provider) == "closed"
    last = HealthEvent.objects.filter(provider=provider).order_by("id").last()
    assert (last.from_state, last.to_state) == ("open", "closed")
    assert ping(provider) == {"ok": True}


def test_secrets_come_from_the_environment(make_provider, monkeypatch):
    provider = Provider.objects.create(kind="payment", code="pay-pal-x", adapter="test_ping", name="PayPal X")
    monkeypatch.setenv("STEADFAST_PAY_PAL_X_CLIENT_SECRET", "s3cr3t")

    assert provider_secret(provider, "client-secret") == "s3cr3t"
    assert provider_secret(provider, "missing") == ""
    assert "s3cr3t" not in str(provider.config)
