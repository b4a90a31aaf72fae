"""Issue 5's end-to-end case: a real (fake) card gateway goes down, the status page and summary.json say so within a
probe or two, an incident is opened, and it is resolved once the gateway is back (issue 9: automatic incidents
close on recovery)."""

import json
import uuid

import pytest

from steadfast.fakes.testing import STRIPE_KEY, fake_stripe  # noqa: F401  (fixture)
from steadfast.providers.breaker import breaker_view
from steadfast.providers.models import Provider
from steadfast.providers.probes import providers_probe
from steadfast.providers.secrets import provider_secret_env
from steadfast.status.incidents import incidents_sync
from steadfast.status.models import Incident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def card(fake_stripe, monkeypatch):  # noqa: F811
    code = f"card-{uuid.uuid4().hex[:6]}"
    monkeypatch.setenv(provider_secret_env(code, "SECRET_KEY"), STRIPE_KEY)
    return Provider.objects.create(
        kind=Provider.Kind.PAYMENT, code=code, adapter="stripe", name="Card payments", priority=1,
        config={"api_base": fake_stripe.url, "read_timeout": 1, "connect_timeout": 1, "cooldown": 0},
    )


def summary(page):
    return json.loads(page.request.get("/status/api/v2/summary.json").text())


def component(data, name):
    return next(c for c in data["components"] if c["name"] == name)


def test_fake_gateway_outage_opens_an_incident_shown_on_the_page_and_in_summary_json(
    page, card, fake_stripe, settings  # noqa: F811
):
    settings.INCIDENT_AFTER_SECONDS = 0
    fake_stripe.set_fault("status", status=503)
    for _ in range(settings.BREAKER_CONSECUTIVE):
        providers_probe(card.code)  # the scheduled probe, over real HTTP to the fake
    assert breaker_view(card).state == "open"
    incidents_sync()

    page.goto("/status/")
    assert "Card payments" in page.locator(".incident").first.inner_text()
    data = summary(page)
    assert component(data, "Payment: Card payments")["status"] == "major_outage"
    assert data["status"]["indicator"] in ("major", "critical")
    assert [i["status"] for i in data["incidents"]] == ["investigating"]

    fake_stripe.set_fault("ok")
    providers_probe(card.code)  # cool-down 0: this is the trial call, and it succeeds
    assert breaker_view(card).state == "closed"
    incidents_sync()

    data = summary(page)
    assert component(data, "Payment: Card payments")["status"] == "operational"
    assert data["incidents"] == [] and data["status"]["indicator"] == "none"
    assert Incident.objects.get().status == "resolved"
    page.reload()  # /status/ may be served from the browser cache for 30 s; a reload revalidates it (ETag)
    assert "works again" in page.locator(".incident.past").first.inner_text()
