"""Staff alerts per episode; failures in a row that outlive the breaker window; background calls (issue 8 item 6)."""

import time
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from steadfast.notify.models import OutboxMessage
from steadfast.notify.tasks import outbox_sweep
from steadfast.providers.alerting import alerts_remind
from steadfast.providers.call import call
from steadfast.providers.errors import Indeterminate, Unavailable
from steadfast.providers.models import AlertEpisode, Attempt, HealthEvent
from steadfast.providers.probes import providers_probe
from steadfast.providers.registry import adapter_for
from steadfast.providers.selectors import provider_state, providers_available
from steadfast.providers.store import store
from steadfast.providers.tests.adapters import ping
from steadfast.testing import WAIT_SECONDS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _alert_addresses(settings):
    settings.STAFF_ALERT_EMAILS = ["ops@example.com"]


def alerts():
    return [m.payload["alert"] for m in OutboxMessage.objects.filter(kind="staff_alert").order_by("id")]


def open_breaker(provider, fake_server):
    fake_server.set_fault("status", status=503)
    for _ in range(3):
        with pytest.raises(Unavailable):
            ping(provider)
    assert provider_state(provider) == "open"


def probe_until(provider, condition):
    """Probe (as the scheduler would once each cool-down is over) until condition() holds."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition() and time.monotonic() < deadline:
        providers_probe(provider.code)
        time.sleep(0.05)
    assert condition()


def test_failures_in_a_row_outlive_the_breaker_window_so_probes_alone_open_it(make_provider, fake_server, settings):
    settings.BREAKER_WINDOW = 1  # shorter than the gap between probes (PROBE_INTERVAL)
    provider = make_provider()
    fake_server.set_fault("status", status=503)
    assert providers_probe(provider.code)[0].outcome == "unavailable"
    failing = f"sf:breaker:{provider.code}:failing"
    deadline = time.monotonic() + WAIT_SECONDS
    while store.get_many([failing]) and time.monotonic() < deadline:
        time.sleep(0.05)  # until the breaker's window has passed since that failure
    assert not store.get_many([failing]), "the breaker window never passed"

    providers_probe(provider.code)
    providers_probe(provider.code)

    assert provider_state(provider) == "open"


def test_one_alert_out_reminders_at_growing_intervals_one_alert_back(make_provider, fake_server, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STAFF_ALERT_REMINDER_SECONDS = 900
    provider = make_provider(cooldown=0.1)
    open_breaker(provider, fake_server)
    start = timezone.now()
    episode = AlertEpisode.objects.get(provider=provider)
    assert episode.began_at == Attempt.objects.filter(provider=provider).order_by("id").first().created_at

    sent_at = []
    for minutes in range(0, 6 * 60, 5):  # six hours of outage, looked at every 5 minutes
        if alerts_remind(start + timedelta(minutes=minutes)):
            sent_at.append(minutes)
    assert sent_at == [15, 45, 105, 225]  # 15 min, then 30, 60, 120 min apart
    assert alerts() == ["out"] + ["reminder"] * 4

    # Trials fail meanwhile: no alert of their own.
    probe_until(provider, lambda: HealthEvent.objects.filter(provider=provider, to_state="open").count() == 2)
    fake_server.set_fault("ok")
    probe_until(provider, lambda: provider_state(provider) == "closed")
    assert provider_state(provider) == "closed"
    assert alerts() == ["out"] + ["reminder"] * 4 + ["back"]
    assert alerts_remind(start + timedelta(days=2)) == 0

    outbox_sweep()
    subjects = [m.subject for m in mail.outbox]
    assert subjects[0] == f"[{provider.name}] OUT OF SERVICE"
    assert subjects[1].startswith(f"[{provider.name}] still out of service")
    assert subjects[-1] == f"[{provider.name}] working again"
    assert "Checkout no longer offers it" in mail.outbox[0].body
    assert "First failure" in mail.outbox[0].body and "server errors (HTTP 503)" in mail.outbox[0].body


def test_background_refund_and_status_failures_leave_checkout_alone_but_alert_staff_once(make_provider, fake_server):
    provider = make_provider()
    adapter = adapter_for(provider)
    fake_server.set_fault("status", status=503)

    for operation in ("refund", "status", "refund", "status", "refund"):
        # A refund moves money: a 503 may hide one that happened (Indeterminate); a status query is just Unavailable.
        with pytest.raises(Indeterminate if operation == "refund" else Unavailable):
            call(provider, operation, adapter.ping, reference="SF-4001")

    assert provider_state(provider) == "closed"
    assert provider in providers_available("payment")
    outcomes = sorted(Attempt.objects.filter(provider=provider).values_list("outcome", flat=True))
    assert outcomes == ["indeterminate"] * 3 + ["unavailable"] * 2, outcomes  # on the health page
    assert alerts() == ["background"]

    fake_server.set_fault("ok")
    call(provider, "status", adapter.ping, reference="SF-4001")
    assert alerts() == ["background", "background_back"]
    assert not AlertEpisode.objects.filter(provider=provider, closed_at__isnull=True).exists()

    # The same failures on a customer's payment start do take it out.
    fake_server.set_fault("status", status=503)
    for _ in range(3):
        with pytest.raises(Unavailable):
            call(provider, "start", adapter.ping, reference="SF-4002")
    assert provider_state(provider) == "open"
    assert alerts() == ["background", "background_back", "out"]


def test_staff_switching_a_provider_off_ends_the_reminders(make_provider, fake_server, admin_user):
    from steadfast.providers.services import provider_disable

    provider = make_provider()
    open_breaker(provider, fake_server)
    provider_disable(provider, admin_user, "gateway support says hours")

    assert alerts() == ["out", "disabled"]
    assert alerts_remind(timezone.now() + timedelta(days=1)) == 0
