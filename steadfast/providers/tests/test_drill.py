"""Fire drills from the Provider admin, against fakes running on 127.0.0.1."""

import pytest
from django.urls import reverse

from steadfast.fakes.testing import fake_stripe  # noqa: F401  (fixture)
from steadfast.providers.errors import Unavailable
from steadfast.providers.models import Provider, ProviderAudit
from steadfast.providers.tests.adapters import ping

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:providers_provider_changelist"


def drill(admin_client, provider, action="start_fire_drill", **data):
    return admin_client.post(reverse(CHANGELIST), {"action": action, "_selected_action": [provider.pk], **data},
                             follow=True)


def test_start_asks_for_a_fault_then_takes_the_fake_down_and_end_brings_it_back(admin_client, make_provider,
                                                                                 fake_server):
    provider = make_provider()
    form = drill(admin_client, provider)
    assert "Down (HTTP 503 on every call)" in form.content.decode() and fake_server.fault.mode == "ok"

    page = drill(admin_client, provider, fault="down", apply="1").content.decode()

    assert f"{provider.name}: done." in page
    assert (fake_server.fault.mode, fake_server.fault.status) == ("status", 503)
    with pytest.raises(Unavailable):
        ping(provider)  # the shop now sees the outage through the provider core, like a real one
    start = ProviderAudit.objects.get(provider=provider)
    assert (start.action, start.actor, start.details["fault"]) == ("drill_start", "admin", "down")
    assert "Fire drill started" in start.reason

    drill(admin_client, provider, action="end_fire_drill")

    assert fake_server.fault.mode == "ok"
    assert ping(provider) == {"ok": True}
    assert [a.action for a in ProviderAudit.objects.filter(provider=provider)] == ["drill_end", "drill_start"]


def test_hang_fault(admin_client, make_provider, fake_server):
    provider = make_provider()
    drill(admin_client, provider, fault="hang", apply="1")
    assert fake_server.fault.mode == "hang"
    drill(admin_client, provider, action="end_fire_drill")
    assert fake_server.fault.mode == "ok"


@pytest.mark.parametrize(("fault", "mode"), [("decline", "decline"), ("reset_after_charge", "reset_after")])
def test_gateway_faults_reach_the_stripe_fake(admin_client, fake_stripe, fault, mode):  # noqa: F811
    provider = Provider.objects.create(kind="payment", code="stripe", adapter="stripe", name="Card",
                                       config={"api_base": fake_stripe.url})
    drill(admin_client, provider, fault=fault, apply="1")
    assert fake_stripe._stripe_fault.mode == mode
    drill(admin_client, provider, action="end_fire_drill")
    assert fake_stripe._stripe_fault.mode == "ok" and fake_stripe.fault.mode == "ok"


@pytest.mark.parametrize("config", [{"api_base": "https://api.stripe.com"}, {}])
def test_a_provider_not_on_loopback_is_refused_and_nothing_changes(admin_client, config):
    provider = Provider.objects.create(kind="payment", code="real-stripe", adapter="stripe", name="Live card",
                                       config=config)
    for data in ({"fault": "down", "apply": "1"}, {"action": "end_fire_drill"}):
        page = drill(admin_client, provider, **data).content.decode()
        assert "Live card is not a fake on this machine" in page and "never a real gateway" in page
    assert not ProviderAudit.objects.exists()


def test_a_fake_that_is_not_running_gives_a_clear_message(admin_client, make_provider, fake_server):
    provider = make_provider()
    fake_server.stop()
    page = drill(admin_client, provider, fault="down", apply="1").content.decode()
    assert "does not answer" in page and "Is the demo running?" in page
    assert not ProviderAudit.objects.exists()


def test_a_fault_the_fake_does_not_know_is_refused(admin_client, make_provider, fake_server):
    provider = make_provider()  # the generic fake has no payments to decline
    page = drill(admin_client, provider, fault="decline", apply="1").content.decode()
    assert "refused the fault (HTTP 400)" in page and fake_server.fault.mode == "ok"
    assert not ProviderAudit.objects.exists()
    assert "Select a valid choice" in drill(admin_client, provider, fault="melt", apply="1").content.decode()


def test_ending_a_decline_drill_on_the_paypal_fake(admin_client):
    from steadfast.fakes.paypal import FakePayPal

    fake = FakePayPal().start()
    try:
        provider = Provider.objects.create(kind="payment", code="paypal", adapter="paypal", name="PayPal",
                                           config={"api_base": fake.url})
        drill(admin_client, provider, fault="decline", apply="1")
        assert fake._gateway_fault.mode == "decline"
        drill(admin_client, provider, action="end_fire_drill")
        assert fake._gateway_fault.mode == "ok" and fake.fault.mode == "ok"
    finally:
        fake.stop()
