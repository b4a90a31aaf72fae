"""Admin: the Provider health page, the state column, and enable/disable with a reason."""

import pytest
from django.urls import reverse

from steadfast.providers.errors import Unavailable
from steadfast.providers.models import Provider, ProviderAudit
from steadfast.providers.tests.adapters import ping

pytestmark = pytest.mark.django_db


def open_breaker(provider, fake_server):
    fake_server.set_fault("status", status=503)
    for _ in range(3):
        with pytest.raises(Unavailable):
            ping(provider, reference="SF-3001")
    fake_server.set_fault("ok")


def test_health_page_shows_state_figures_and_recent_calls(admin_client, make_provider, fake_server):
    healthy, broken = make_provider(), make_provider()
    ping(healthy)
    open_breaker(broken, fake_server)

    response = admin_client.get(reverse("admin:providers_provider_health"))

    assert response.status_code == 200
    page = response.content.decode()
    broken_row = page[page.index(f'id="health-{broken.code}"'):]
    broken_row = broken_row[: broken_row.index("</tr>")]
    assert "Out of service" in broken_row and "100.0 %" in broken_row
    healthy_row = page[page.index(f'id="health-{healthy.code}"'):]
    assert "Working" in healthy_row[: healthy_row.index("</tr>")]
    assert "SF-3001" in page  # recent attempts
    assert "3 calls in a row failed" in page  # recent state changes


def test_health_page_is_linked_from_the_changelist_and_the_index(admin_client, make_provider, fake_server):
    broken = make_provider()
    open_breaker(broken, fake_server)
    health_url = reverse("admin:providers_provider_health")

    changelist = admin_client.get(reverse("admin:providers_provider_changelist")).content.decode()
    assert health_url in changelist and "Out of service" in changelist
    index = admin_client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:providers_providerhealth_changelist") in index
    assert admin_client.get(reverse("admin:providers_providerhealth_changelist")).url == health_url


def test_health_page_needs_staff(client):
    response = client.get(reverse("admin:providers_provider_health"))
    assert response.status_code == 302 and "/login/" in response.url


def test_disable_action_asks_for_a_reason_first(admin_client, make_provider):
    provider = make_provider()
    url = reverse("admin:providers_provider_changelist")
    data = {"action": "disable_providers", "_selected_action": [provider.pk]}

    page = admin_client.post(url, data)
    assert page.status_code == 200 and b'name="reason"' in page.content
    assert Provider.objects.get(pk=provider.pk).enabled

    missing = admin_client.post(url, {**data, "apply": "1", "reason": ""})
    assert missing.status_code == 200 and b"This field is required" in missing.content
    assert Provider.objects.get(pk=provider.pk).enabled

    done = admin_client.post(url, {**data, "apply": "1", "reason": "Gateway on fire"})
    assert done.status_code == 302
    assert not Provider.objects.get(pk=provider.pk).enabled
    audit = ProviderAudit.objects.get(provider=provider)
    assert (audit.action, audit.actor, audit.reason) == ("disable", "admin", "Gateway on fire")


def test_config_change_in_the_form_needs_a_reason_and_is_audited(admin_client, make_provider):
    provider = make_provider()
    url = reverse("admin:providers_provider_change", args=[provider.pk])
    form = {
        "kind": "payment", "code": provider.code, "adapter": "test_ping", "name": provider.name, "description": "",
        "priority": 100, "sla_target_pct": "99.9", "config": '{"api_base": "http://127.0.0.1:9", "read_timeout": 2}',
    }

    refused = admin_client.post(url, form)
    assert refused.status_code == 200 and b"Say why the configuration changes" in refused.content
    secret = admin_client.post(url, {**form, "config": '{"secret_key": "sk"}', "change_reason": "x"})
    assert secret.status_code == 200 and b"looks like a secret" in secret.content
    assert not ProviderAudit.objects.exists()

    saved = admin_client.post(url, {**form, "change_reason": "moved to sandbox"})
    assert saved.status_code == 302
    assert Provider.objects.get(pk=provider.pk).config == {"api_base": "http://127.0.0.1:9", "read_timeout": 2.0}
    audit = ProviderAudit.objects.get(provider=provider)
    assert audit.reason == "moved to sandbox" and audit.details["changes"]["read_timeout"] == {"old": 0.5, "new": 2.0}
