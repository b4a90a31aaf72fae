"""Health figures staff see: error rate and p95 per window, last success/failure, 30-day uptime from events."""

from datetime import timedelta

import pytest
from django.utils import timezone

from steadfast.providers.health import provider_health, uptime
from steadfast.providers.models import Attempt, HealthEvent

pytestmark = pytest.mark.django_db


def attempt(provider, outcome, latency, ago):
    row = Attempt.objects.create(provider=provider, operation="ping", outcome=outcome, latency_ms=latency)
    Attempt.objects.filter(pk=row.pk).update(created_at=timezone.now() - ago)


def event(provider, from_state, to_state, at):
    row = HealthEvent.objects.create(provider=provider, from_state=from_state, to_state=to_state)
    HealthEvent.objects.filter(pk=row.pk).update(created_at=at)


def test_error_rate_and_p95_per_window(make_provider):
    provider = make_provider()
    for latency in range(10, 210, 10):  # 20 successes in the last hour, 10..200 ms
        attempt(provider, "ok", latency, timedelta(minutes=5))
    attempt(provider, "unavailable", 3000, timedelta(minutes=10))
    attempt(provider, "declined", 50, timedelta(minutes=10))  # the provider worked: not an error
    attempt(provider, "rejected", 0, timedelta(minutes=10))  # never reached it: not counted
    attempt(provider, "indeterminate", 10000, timedelta(hours=5))  # only in the day window

    health = provider_health(provider)

    assert (health.hour.calls, health.hour.failures, health.hour.error_rate) == (22, 1, 4.5)
    assert health.hour.p95_ms == 200
    assert (health.day.calls, health.day.failures, health.day.error_rate) == (23, 2, 8.7)
    assert health.day.p95_ms == 3000
    assert health.last_success > health.last_failure
    assert health.state == "closed"


def test_no_calls_means_no_figures(make_provider):
    health = provider_health(make_provider())
    assert (health.hour.calls, health.hour.error_rate, health.hour.p95_ms) == (0, None, None)
    assert health.last_success is None and health.uptime_30d == 100.0


def test_uptime_counts_open_time_as_down_and_ignores_disabled_time(make_provider):
    provider = make_provider()
    end = timezone.now()
    start = end - timedelta(days=30)
    event(provider, "closed", "open", start - timedelta(days=1))  # already down when the window starts
    event(provider, "open", "closed", start + timedelta(days=3))
    event(provider, "closed", "disabled", start + timedelta(days=10))
    event(provider, "disabled", "closed", start + timedelta(days=20))

    # down 3 days, up 7 + 10 days, disabled 10 days left out: 17 / 20
    assert uptime(provider, start, end) == 85.0
