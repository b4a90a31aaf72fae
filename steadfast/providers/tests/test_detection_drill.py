"""Fire drill with no shopper traffic (issue 9): a card gateway starts answering 5xx, hanging, or refusing
connections. Only the background probes call it. The shop must show it as out on /status/ and in the banner,
send exactly one staff alert, keep it off checkout through failed trials, and show it back after recovery.

Real HTTP to the Stripe fake on 127.0.0.1; short intervals through settings; the probes are driven by the same
functions the Huey tick runs (providers_probe_due, alerts_remind), waiting only for the scheduler's own next due
time while polling for what a shopper or staff member would see. Timings with the default intervals: bench/.
"""

import time
import uuid

import pytest

from steadfast.fakes.stripe import FakeStripe
from steadfast.fakes.testing import STRIPE_KEY
from steadfast.notify.models import OutboxMessage
from steadfast.providers.alerting import alerts_remind
from steadfast.providers.models import Attempt, HealthEvent, Provider
from steadfast.providers.probes import providers_probe_due
from steadfast.providers.secrets import provider_secret_env
from steadfast.providers.selectors import providers_available
from steadfast.status.models import Incident, IncidentStatus

pytestmark = pytest.mark.django_db

WAIT = 30  # generous: the drill settles within a few seconds on short intervals


@pytest.fixture
def drill(settings, monkeypatch):
    settings.PROBE_INTERVAL = 1
    settings.PROBE_RETRY_SECONDS = 0.2
    settings.PROBE_READ_TIMEOUT = 0.5
    settings.BREAKER_WINDOW = 1
    settings.INCIDENT_AFTER_SECONDS = 0
    settings.STAFF_ALERT_EMAILS = ["ops@example.com"]
    fakes = []

    def gateway(name, priority):
        fake = FakeStripe(api_key=STRIPE_KEY).start()
        fakes.append(fake)
        code = f"{name.lower()}-{uuid.uuid4().hex[:6]}"
        monkeypatch.setenv(provider_secret_env(code, "SECRET_KEY"), STRIPE_KEY)
        provider = Provider.objects.create(
            kind=Provider.Kind.PAYMENT, code=code, adapter="stripe", name=name, priority=priority,
            config={"api_base": fake.url, "connect_timeout": 0.5, "read_timeout": 5, "cooldown": 0.5},
        )
        return provider, fake

    card, card_fake = gateway("Card", 1)
    wallet, _wallet_fake = gateway("Wallet", 2)
    yield card, card_fake, wallet
    for fake in fakes:
        fake.stop()


def run_probes_until(condition, what):
    """Run the scheduler (due probes, reminders) until condition() is True; fail saying what was seen."""
    deadline = time.monotonic() + WAIT
    seen = None
    while time.monotonic() < deadline:
        next_at = providers_probe_due().next_at
        alerts_remind()
        while True:
            seen = condition()
            if seen is True:
                return
            if next_at is None or time.time() >= next_at or time.monotonic() >= deadline:
                break
            time.sleep(0.02)  # poll until the next probe falls due
    pytest.fail(f"waited {WAIT} s for {what}; saw {seen!r}")


def component_status(client, provider):
    data = client.get("/status/api/v2/summary.json").json()
    return next(c["status"] for c in data["components"] if c["id"] == f"payment-{provider.code}")


def banner(client):
    body = client.get("/").content.decode()  # the storefront, as a shopper meets it
    if 'id="status-banner"' not in body:
        return ""
    start = body.index('id="status-banner"')
    return body[start : body.index("</aside>", start)]


def staff_alerts():
    rows = OutboxMessage.objects.filter(kind="staff_alert").order_by("id")
    return [(m.payload["code"], m.payload["alert"]) for m in rows]


def shown_out(client, card):
    status, text = component_status(client, card), banner(client)
    if status == "major_outage" and "Card: temporarily unavailable" in text and "Wallet" in text:
        return True
    return {"status": status, "banner": text[:300]}


def shown_back(client, card):
    status, text = component_status(client, card), banner(client)
    return True if status == "operational" and not text else {"status": status, "banner": text[:300]}


FAULTS = {
    "5xx": ("it answered with server errors (HTTP 503)", lambda fake: fake.set_fault("status", status=503)),
    "hang": ("it stopped answering (requests timed out)", lambda fake: fake.set_fault("hang")),
    "refused": ("it refused or dropped our connections", lambda fake: fake.stop()),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_idle_shop_finds_a_dead_gateway_alone_alerts_once_and_shows_it_back(client, drill, fault):
    card, card_fake, wallet = drill
    words, inject = FAULTS[fault]
    run_probes_until(lambda: Attempt.objects.filter(outcome="ok", operation="probe").count() >= 2 or "no probe yet",
                     "a first healthy probe of each gateway")
    assert shown_back(client, card) is True

    inject(card_fake)
    run_probes_until(lambda: shown_out(client, card), "the card shown as out on /status/ and in the banner")

    failures = Attempt.objects.filter(provider=card, operation="probe").exclude(outcome="ok").order_by("id")
    assert [a.outcome for a in failures] == ["indeterminate" if fault == "hang" else "unavailable"] * 3
    assert staff_alerts() == [(card.code, "out")]
    incident = Incident.objects.get(provider=card)
    assert incident.status == IncidentStatus.INVESTIGATING
    assert incident.created_at == failures.first().created_at  # starts at the first failure, not at the breaker
    assert words in incident.updates.get().message

    # Cool-downs pass and probes make the trials, which fail: still out, no shopper offered the card, no new alert.
    run_probes_until(
        lambda: HealthEvent.objects.filter(provider=card, from_state="half_open", to_state="open").count() >= 2
        or "fewer than two failed trials",
        "two failed trials",
    )
    assert card not in providers_available(Provider.Kind.PAYMENT)
    assert wallet in providers_available(Provider.Kind.PAYMENT)
    assert shown_out(client, card) is True
    assert staff_alerts() == [(card.code, "out")]
    assert not Attempt.objects.filter(provider=card).exclude(operation="probe").exists()  # no shopper traffic

    if fault == "refused":
        card_fake.start()  # same port
    card_fake.set_fault("ok")
    run_probes_until(lambda: shown_back(client, card), "the card shown as working again")

    assert staff_alerts() == [(card.code, "out"), (card.code, "back")]
    assert card in providers_available(Provider.Kind.PAYMENT)
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.RESOLVED
    assert HealthEvent.objects.filter(provider=card).order_by("-id").first().reason == "trial call succeeded"
