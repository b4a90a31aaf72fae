"""manage.py providers ..."""

import pytest
from django.core.management import CommandError, call_command

from steadfast.notify.models import OutboxMessage
from steadfast.providers.errors import Unavailable
from steadfast.providers.models import Attempt, HealthEvent, Provider, ProviderAudit
from steadfast.providers.secrets import provider_secret_env
from steadfast.providers.selectors import provider_state
from steadfast.providers.tests.adapters import ping

pytestmark = pytest.mark.django_db


def run(*args):
    from io import StringIO

    out = StringIO()
    call_command("providers", *args, stdout=out)
    return out.getvalue()


def test_list_shows_state_last_success_and_error_rate(make_provider, fake_server):
    healthy, broken = make_provider(), make_provider()
    ping(healthy)
    fake_server.set_fault("status", status=503)
    for _ in range(3):
        with pytest.raises(Unavailable):
            ping(broken)

    lines = run("list").splitlines()

    assert lines[0].split() == ["CODE", "KIND", "ENABLED", "STATE", "LAST", "SUCCESS", "ERRORS", "1H"]
    row = {line.split()[0]: line for line in lines[1:]}
    assert row[healthy.code].split()[1:4] == ["payment", "yes", "closed"]
    assert "0 % of 1" in row[healthy.code]
    assert " open " in row[broken.code] and "100 % of 3" in row[broken.code]
    assert "cash_on_delivery" in row


def test_disable_and_enable_with_reason(make_provider):
    provider = make_provider()

    assert f"{provider.code} disabled." in run("disable", provider.code, "--reason", "card fraud wave")
    assert not Provider.objects.get(pk=provider.pk).enabled
    run("enable", provider.code, "--reason", "fraud rules updated")

    audits = ProviderAudit.objects.filter(provider=provider).order_by("id")
    assert [a.action for a in audits] == ["disable", "enable"]
    assert audits[0].actor.startswith("cli") and audits[0].reason == "card fraud wave"


def test_bad_input_is_a_clear_error_and_changes_nothing(make_provider):
    provider = make_provider()

    with pytest.raises(CommandError, match="No provider 'nope'"):
        run("disable", "nope", "--reason", "x")
    with pytest.raises(CommandError, match="reason is required"):
        run("disable", provider.code, "--reason", " ")
    with pytest.raises(CommandError, match="looks like a secret"):
        run("configure", provider.code, "secret_key", "sk_live_1", "--reason", "rotate")

    assert Provider.objects.get(pk=provider.pk).enabled
    assert not ProviderAudit.objects.exists()


def test_configure_parses_json_values(make_provider):
    provider = make_provider()

    out = run("configure", provider.code, "cooldown", "45", "--reason", "flaky at night")

    assert out.strip() == f"{provider.code}: cooldown = 45.0"
    assert Provider.objects.get(pk=provider.pk).config["cooldown"] == 45.0
    run("configure", provider.code, "api_base", "http://127.0.0.1:9/v2/", "--reason", "sandbox")
    assert Provider.objects.get(pk=provider.pk).config["api_base"] == "http://127.0.0.1:9/v2"


def test_probe_from_a_shell_records_nothing_and_says_so(make_provider, fake_server):
    provider = make_provider()
    fake_server.set_fault("status", status=429)

    for _ in range(4):  # more than enough failures to open the breaker, were they recorded
        out = run("probe", provider.code)

    assert out.splitlines()[0] == f"{provider.code}: unavailable (HTTP 429)"
    assert "Not recorded" in out and "--record" in out
    assert fake_server.requests == 4
    assert not Attempt.objects.filter(provider=provider).exists()
    assert provider_state(provider) == "closed"


def test_probe_with_record_feeds_shared_health(make_provider, fake_server):
    provider = make_provider()
    fake_server.set_fault("status", status=503)

    for _ in range(3):
        out = run("probe", provider.code, "--record")

    assert out.strip() == f"{provider.code}: unavailable (HTTP 503)"
    assert list(Attempt.objects.filter(provider=provider).values_list("operation", flat=True)) == ["probe"] * 3
    assert provider_state(provider) == "open"


def test_probe_of_a_gateway_whose_secret_this_shell_lacks_leaves_the_live_gateway_alone(settings, monkeypatch):
    settings.STAFF_ALERT_EMAILS = ["ops@example.com"]
    stripe = Provider.objects.create(
        kind="payment", code="card-shell", adapter="stripe", name="Card", config={"api_base": "http://127.0.0.1:9"}
    )
    monkeypatch.delenv(provider_secret_env("card-shell", "secret_key"), raising=False)

    out = run("probe", "card-shell")

    assert out.splitlines()[0].startswith("card-shell: misconfigured (")
    assert "this process has no STEADFAST_CARD_SHELL_* variables" in out
    assert "Not recorded" in out
    assert provider_state(stripe) == "closed"
    assert not HealthEvent.objects.filter(provider=stripe).exists()
    assert not OutboxMessage.objects.filter(kind="staff_alert").exists()
