"""manage.py providers ..."""

import pytest
from django.core.management import CommandError, call_command

from steadfast.providers.errors import Unavailable
from steadfast.providers.models import Provider, ProviderAudit
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


def test_probe_one_provider(make_provider, fake_server):
    provider = make_provider()
    fake_server.set_fault("status", status=429)

    assert run("probe", provider.code).strip() == f"{provider.code}: unavailable (HTTP 429)"
    assert fake_server.requests == 1
