"""The outbox's own promises: written with its cause, every failure recorded on its row, leases honoured,
backoff with jitter, dead letters, replay and cancel, one staff alert per problem."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from steadfast.notify.delivery import outbox_deliver
from steadfast.notify.models import DeliveryAttempt, OutboxAlarm, OutboxMessage
from steadfast.notify.outbox import (
    LeaseLost,
    OutboxOutsideTransaction,
    outbox_add,
    outbox_claim,
    outbox_lease_renew,
    outbox_mark_failed,
    outbox_mark_sent,
)
from steadfast.notify.tasks import outbox_sweep
from steadfast.notify.tests.conftest import PAYLOAD, chain, fresh, message_add, time_passes
from steadfast.notify.watch import outbox_watch
from steadfast.providers.breaker import health_event_create
from steadfast.providers.models import Provider

pytestmark = pytest.mark.django_db
Status = OutboxMessage.Status


def test_outbox_add_outside_a_transaction_is_refused_and_writes_nothing():
    with pytest.raises(OutboxOutsideTransaction, match="inside the transaction"):
        outbox_add(key="k1", kind="order_confirmation", recipient="ann@example.com", payload=PAYLOAD)
    assert not OutboxMessage.objects.exists()
    with transaction.atomic():
        outbox_add(key="k1", kind="order_confirmation", recipient="ann@example.com", payload=PAYLOAD)
    assert OutboxMessage.objects.filter(key="k1").count() == 1


def test_a_rolled_back_cause_takes_its_message_with_it():
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox_add(key="k1", kind="order_confirmation", recipient="ann@example.com", payload=PAYLOAD)
        raise RuntimeError("the order could not be placed")
    assert not OutboxMessage.objects.exists()


def test_missing_template_is_dead_lettered_on_its_row_and_the_next_message_still_goes(email_channel, smtp):
    broken = message_add("broken", kind="no_such_message")
    good = message_add("good")
    assert outbox_sweep() == 1
    broken = fresh(broken)
    assert broken.status == Status.DEAD and broken.attempts == 1
    assert "missing template" in broken.last_error and "no_such_message" in broken.last_error
    assert [m["key"] for m in smtp.messages] == ["good"] and fresh(good).status == Status.SENT


def test_an_unexpected_error_is_recorded_retried_later_and_never_stops_the_sweep(email_channel, smtp):
    email_channel.config = {**email_channel.config, "backend": "steadfast.no_such_module.EmailBackend"}
    email_channel.save()
    first, second = message_add("first"), message_add("second")
    assert outbox_sweep() == 0  # no exception out of the sweep
    for message in (fresh(first), fresh(second)):
        assert message.status == Status.PENDING and message.attempts == 1, message.last_error
        assert "ModuleNotFoundError" in message.last_error or "ImportError" in message.last_error
        assert message.next_attempt_at > timezone.now() and message.lease_token == ""
        assert list(message.deliveries.values_list("outcome", flat=True)) == ["error"]


def test_a_leased_message_is_not_claimed_again_until_the_lease_expires(email_channel):
    message = message_add("k1")
    first = outbox_claim(message.pk)
    assert first is not None and first.lease_token
    assert outbox_claim(message.pk) is None
    OutboxMessage.objects.filter(pk=message.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    second = outbox_claim(message.pk)
    assert second is not None and second.lease_token != first.lease_token


def test_a_worker_whose_lease_was_taken_over_changes_nothing(email_channel):
    message = message_add("k1")
    stale = outbox_claim(message.pk)
    OutboxMessage.objects.filter(pk=message.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    current = outbox_claim(message.pk)

    assert outbox_mark_sent(stale, "email") is False
    assert outbox_mark_failed(stale, "timeout") is False
    with pytest.raises(LeaseLost):
        outbox_lease_renew(stale)
    row = fresh(message)
    assert (row.status, row.attempts, row.last_error, row.lease_token) == (Status.PENDING, 0, "", current.lease_token)

    assert outbox_mark_sent(current, "email") is True
    assert fresh(message).status == Status.SENT


def test_backoff_doubles_with_jitter_and_a_cap(settings, email_channel):
    settings.OUTBOX_RETRY_SECONDS, settings.OUTBOX_RETRY_MAX_SECONDS = 30, 100
    delays = {1: [], 3: []}
    for n in range(30):
        attempts = 1 if n % 2 else 3
        message = message_add(f"k{n}", attempts=attempts - 1)
        claimed = outbox_claim(message.pk)
        before = timezone.now()
        assert outbox_mark_failed(claimed, "HTTP 503")
        delays[attempts].append((fresh(message).next_attempt_at - before).total_seconds())
    assert all(15 - 1 <= d <= 30 for d in delays[1]), delays[1]  # 30 s: half fixed, half random
    assert all(50 - 1 <= d <= 100 for d in delays[3]), delays[3]  # 120 s capped at 100
    assert len({round(d, 3) for d in delays[1]}) > 10  # not all together


def test_dead_letter_after_the_maximum_number_of_attempts(settings, email_channel, smtp):
    settings.OUTBOX_MAX_ATTEMPTS, settings.OUTBOX_CHANNEL_TRIES = 3, 1
    chain("customer", "email")
    smtp.set_fault("refuse")
    message = message_add("k1")
    for expected in (1, 2):
        assert outbox_sweep() == 0
        row = fresh(message)
        assert (row.status, row.attempts) == (Status.PENDING, expected) and "unreachable" in row.last_error
        assert outbox_sweep() == 0  # not due yet: backoff
        time_passes(message)
    assert outbox_sweep() == 0
    row = fresh(message)
    assert row.status == Status.DEAD and row.attempts == 3 and "gave up after 3 attempts" in row.last_error
    assert DeliveryAttempt.objects.filter(message=message, outcome="failed").count() == 3


def test_dead_letter_when_too_old(settings, email_channel, smtp):
    settings.OUTBOX_MAX_AGE_HOURS = 48
    chain("customer", "email")
    smtp.set_fault("refuse")
    message = message_add("k1", created_at=timezone.now() - timedelta(hours=49))
    outbox_sweep()
    row = fresh(message)
    assert row.status == Status.DEAD and row.attempts == 1 and "too old" in row.last_error


def _changelist_action(client, action, *messages):
    url = reverse("admin:notify_outboxmessage_changelist")
    return client.post(url, {"action": action, "_selected_action": [m.pk for m in messages]}, follow=True)


def test_staff_replay_a_dead_letter_from_the_admin_and_it_is_delivered_once(admin_client, email_channel, smtp):
    dead = message_add("k1", status=Status.DEAD, attempts=10, last_error="SMTP server unreachable")
    sent = message_add("k2", status=Status.SENT)
    page = _changelist_action(admin_client, "replay", dead, sent)
    assert "1 message is queued for delivery again." in page.content.decode()
    assert "1 selected message was not dead-lettered or cancelled" in page.content.decode()
    row = fresh(dead)
    assert (row.status, row.attempts) == (Status.PENDING, 0)
    assert outbox_sweep() == 1 and outbox_sweep() == 0
    assert [m["key"] for m in smtp.messages] == ["k1"]


def test_staff_cancel_a_pending_message_and_it_is_never_sent(admin_client, email_channel, smtp):
    pending = message_add("k1", next_attempt_at=timezone.now() + timedelta(minutes=5))
    in_flight = message_add("k2")
    outbox_claim(in_flight.pk)  # a worker is sending it right now
    page = _changelist_action(admin_client, "cancel", pending, in_flight)
    assert "1 message is cancelled." in page.content.decode()
    assert "being sent right now" in page.content.decode()
    assert fresh(pending).status == Status.CANCELLED and fresh(in_flight).status == Status.PENDING
    time_passes(pending)
    assert outbox_deliver(pending.pk) is False and smtp.messages == []


def _alerts():
    return list(OutboxMessage.objects.filter(kind="staff_outbox").order_by("pk").values_list("key", flat=True))


def test_dead_letters_raise_one_staff_alert_and_one_all_clear(settings, email_channel):
    settings.STAFF_ALERT_EMAILS = ["ops@example.com"]
    first = message_add("k1", status=Status.DEAD)
    assert outbox_watch() == ["dead_letters:start"]
    message_add("k2", status=Status.DEAD)  # more dead letters while the alarm is open: no new alert
    assert outbox_watch() == [] and outbox_watch() == []
    alarm = OutboxAlarm.objects.get()
    assert _alerts() == [f"staff_outbox:dead_letters:{alarm.pk}:start"]
    OutboxMessage.objects.filter(key__in=["k1", "k2"]).update(status=Status.CANCELLED)
    assert outbox_watch() == ["dead_letters:end"]
    assert len(_alerts()) == 2 and fresh(first).status == Status.CANCELLED


def test_a_growing_backlog_raises_one_staff_alert(settings, email_channel):
    settings.OUTBOX_BACKLOG_ALERT, settings.OUTBOX_BACKLOG_MINUTES = 3, 10
    old = timezone.now() - timedelta(minutes=11)
    for n in range(2):
        message_add(f"k{n}", created_at=old)
    assert outbox_watch() == []  # two waiting: under the threshold
    message_add("k2", created_at=old)
    message_add("k3")  # young: not part of the backlog
    assert outbox_watch() == ["backlog:start"] and outbox_watch() == []
    alert = OutboxMessage.objects.get(kind="staff_outbox")
    assert alert.payload["backlog"] == 3 and "3 messages waiting" in _subject(alert)


def _subject(message):
    from steadfast.notify.render import message_render

    return message_render(message, "email").subject


def test_a_breaker_staff_alert_commits_with_its_health_event(settings):
    settings.STAFF_ALERT_EMAILS = ["ops@example.com"]
    gateway = Provider.objects.create(kind="payment", code="cardco", adapter="cash_on_delivery", name="CardCo")
    # Called in autocommit, as the breaker does after an outside call: the event opens the transaction for both.
    health_event_create(gateway, "closed", "open", "3 calls in a row unavailable")
    alert = OutboxMessage.objects.get(kind="staff_alert")
    assert alert.key.startswith("staff_alert:episode:")  # one alert per outage (providers/alerting.py)
    assert alert.addresses == {"email": ["ops@example.com"], "apprise": "staff"}, alert.addresses
    # And a rolled-back cause leaves neither.
    with pytest.raises(RuntimeError), transaction.atomic():
        health_event_create(gateway, "open", "closed", "trial call succeeded")
        raise RuntimeError("rolled back")
    assert OutboxMessage.objects.filter(kind="staff_alert").count() == 1
