"""Fallback chains, one fault at a time: the message reaches the person through the next channel, the attempt log
says what happened, and the receiving fakes got it exactly once."""

import pytest
from django.urls import reverse

from steadfast.notify.chains import chain_for
from steadfast.notify.models import MessageChain, OutboxMessage
from steadfast.notify.tasks import outbox_sweep
from steadfast.notify.tests.conftest import PAYLOAD, fresh, message_add, time_passes
from steadfast.providers.call import call
from steadfast.providers.errors import Unavailable
from steadfast.providers.registry import adapter_for

pytestmark = pytest.mark.django_db
PL_SENT = "Wysłano"
ANN = {"email": "ann@example.com", "sms": "+48 600 100 200", "telegram": "4242"}


def log(message):
    return [f"{d.channel}:{d.outcome}" for d in fresh(message).deliveries.order_by("pk")]


def received(smtp, smsru, telegram):
    return {"email": len(smtp.messages), "sms": len(smsru.messages), "telegram": len(telegram.messages)}


def deliver_until_done(message, runs=4):
    for _ in range(runs):
        outbox_sweep()
        if fresh(message).status != "pending":
            return fresh(message)
        time_passes(message)
    return fresh(message)


@pytest.fixture
def fakes(channels, smtp, smsru, telegram):
    return smtp, smsru, telegram


def test_all_well_the_first_channel_carries_it(fakes):
    message = deliver_until_done(message_add("k1", addresses=ANN))
    assert (message.status, message.channel) == ("sent", "email")
    assert log(message) == ["email:sent"] and received(*fakes) == {"email": 1, "sms": 0, "telegram": 0}


@pytest.mark.parametrize("fault", ["refuse", "tempfail", "hang"])
def test_email_down_is_retried_then_sms_carries_it(settings, fakes, fault):
    settings.OUTBOX_CHANNEL_TRIES = 2
    smtp, smsru, telegram = fakes
    smtp.set_fault(fault)
    message = message_add("k1", addresses=ANN)
    outbox_sweep()
    row = fresh(message)
    assert (row.status, row.attempts, log(row)) == ("pending", 1, ["email:failed"])  # retried later, same channel
    time_passes(message)
    message = deliver_until_done(message)
    assert (message.status, message.channel) == ("sent", "sms")
    assert log(message) == ["email:failed", "email:failed", "sms:sent"]
    assert received(*fakes) == {"email": 0, "sms": 1, "telegram": 0}
    assert smsru.messages[0]["to"] == "48600100200" and "SF-000042" in smsru.messages[0]["text"]


def test_a_refused_address_moves_on_at_once(fakes):
    smtp, smsru, telegram = fakes
    smtp.rejected.add("ann@example.com")
    message = message_add("k1", addresses=ANN)
    assert outbox_sweep() == 1
    message = fresh(message)
    assert (message.status, message.channel, message.attempts) == ("sent", "sms", 1)
    assert log(message) == ["email:refused", "sms:sent"] and received(*fakes) == {"email": 0, "sms": 1, "telegram": 0}


def test_an_open_breaker_is_skipped_without_a_call(fakes, channels):
    smtp, smsru, telegram = fakes
    smtp.set_fault("refuse")
    adapter = adapter_for(channels["email"])
    for _ in range(3):  # three Unavailable in a row: the e-mail provider's breaker opens
        with pytest.raises(Unavailable):
            call(channels["email"], "probe", adapter.probe)
    smtp.set_fault("ok")  # the server is back, but the breaker has not tried it yet
    message = message_add("k1", addresses=ANN)
    assert outbox_sweep() == 1
    assert log(message) == ["email:skipped", "sms:sent"] and received(*fakes) == {"email": 0, "sms": 1, "telegram": 0}


@pytest.mark.parametrize("status", [503, 429])
def test_sms_gateway_failing_after_email_refused_telegram_carries_it(settings, fakes, status):
    settings.OUTBOX_CHANNEL_TRIES = 2
    smtp, smsru, telegram = fakes
    smtp.rejected.add("ann@example.com")
    smsru.set_fault("status", status=status)
    message = deliver_until_done(message_add("k1", addresses=ANN))
    assert (message.status, message.channel) == ("sent", "telegram")
    assert log(message) == ["email:refused", "sms:failed", "sms:failed", "telegram:sent"]
    assert received(*fakes) == {"email": 0, "sms": 0, "telegram": 1}


def test_invalid_number_moves_on_to_telegram_at_once(fakes):
    smtp, smsru, telegram = fakes
    smtp.rejected.add("ann@example.com")
    smsru.invalid.add("48600100200")
    message = deliver_until_done(message_add("k1", addresses=ANN), runs=1)
    assert log(message) == ["email:refused", "sms:refused", "telegram:sent"]
    assert received(*fakes) == {"email": 0, "sms": 0, "telegram": 1}


def test_staff_chain_starts_with_telegram_and_a_blocked_bot_falls_back_to_sms(settings, fakes):
    smtp, smsru, telegram = fakes
    settings.STAFF_ALERT_TELEGRAM_CHAT, settings.STAFF_ALERT_PHONES = "-1001", ["+48 500 000 001"]
    settings.STAFF_ALERT_EMAILS = ["ops@example.com"]
    telegram.blocked.add("-1001")
    from steadfast.providers.breaker import health_event_create
    from steadfast.providers.models import Provider

    gateway = Provider.objects.create(kind="payment", code="cardco", adapter="cash_on_delivery", name="CardCo")
    health_event_create(gateway, "closed", "open", "3 calls in a row unavailable")
    message = OutboxMessage.objects.get(kind="staff_alert")
    assert outbox_sweep() == 1
    assert log(message) == ["telegram:refused", "sms:sent"]
    assert received(*fakes) == {"email": 0, "sms": 1, "telegram": 0}
    assert "CardCo" in smsru.messages[0]["text"] and "OUT OF SERVICE" in smsru.messages[0]["text"]


def test_every_channel_refusing_is_a_dead_letter_at_once(fakes):
    smtp, smsru, telegram = fakes
    smtp.rejected.add("ann@example.com")
    smsru.invalid.add("48600100200")
    telegram.blocked.add("4242")
    message = deliver_until_done(message_add("k1", addresses=ANN), runs=1)
    assert message.status == "dead" and message.attempts == 1
    assert "email" in message.last_error and "telegram" in message.last_error
    assert received(*fakes) == {"email": 0, "sms": 0, "telegram": 0}


def test_once_per_person_and_key_whichever_channel_carried_it(fakes):
    smtp, smsru, telegram = fakes
    smtp.rejected.add("ann@example.com")
    message = message_add("order_confirmation:42", addresses=ANN)
    assert outbox_sweep() == 1
    smtp.rejected.clear()  # e-mail recovers: the message is not sent again on it
    again = message_add("order_confirmation:42", addresses=ANN)  # the same cause written twice (a retried request)
    time_passes()
    assert again.pk == message.pk and outbox_sweep() == 0
    assert received(*fakes) == {"email": 0, "sms": 1, "telegram": 0}


def test_no_address_for_any_channel_is_a_dead_letter(fakes):
    message = deliver_until_done(message_add("k1", addresses={"telegram": ""}), runs=1)
    assert message.status == "dead" and "no address" in message.last_error


def test_order_timeline_shows_each_attempt(fakes, make_variant, details):
    from steadfast.checkout.services import order_place

    smtp, smsru, telegram = fakes
    smtp.rejected.add(details.email)
    order, _ = order_place(lines=[(make_variant().pk, 1)], details=details, idempotency_key="timeline-1")
    outbox_sweep()
    notes = list(order.events.filter(kind="message").values_list("message", flat=True))
    assert notes == ["Message order_confirmation by e-mail (email): Refused for this address",
                     "Message order_confirmation by SMS (smsru): Sent"]
    assert received(*fakes) == {"email": 0, "sms": 1, "telegram": 0}


def test_chains_are_edited_in_the_admin_and_checked(admin_client):
    chain = MessageChain.objects.get(name="customer")
    url = reverse("admin:notify_messagechain_change", args=[chain.pk])
    page = admin_client.post(url, {"name": "customer", "channels": "email, fax"})
    assert "Unknown channel fax" in page.content.decode()
    admin_client.post(url, {"name": "customer", "channels": "sms,email"})
    assert chain_for("order_paid") == ["sms", "email"]
    admin_client.post(reverse("admin:notify_messagechain_add"), {"name": "order_paid", "channels": "telegram"})
    assert chain_for("order_paid") == ["telegram"] and chain_for("order_shipped") == ["sms", "email"]
    assert chain_for("staff_alert") == ["telegram", "sms", "email", "apprise"]


def test_the_timeline_reads_in_the_customers_language(fakes, make_variant, details):
    from steadfast.checkout.services import order_place

    smtp, smsru, telegram = fakes
    smtp.rejected.add(details.email)
    order, _ = order_place(lines=[(make_variant().pk, 1)], details=details, idempotency_key="timeline-pl",
                           language="pl")
    outbox_sweep()
    assert list(order.events.filter(kind="message").values_list("message", flat=True)) == [
        "Wiadomość order_confirmation przez e-mail (email): Odrzucono dla tego adresu",
        f"Wiadomość order_confirmation przez SMS (smsru): {PL_SENT}"]


def test_sms_text_is_one_short_line_with_the_order_link_in_the_customers_language(fakes):
    smtp, smsru, telegram = fakes
    smtp.rejected.add("ann@example.com")
    message_add("k1", addresses=ANN, payload={**PAYLOAD, "language": "pl"})
    assert outbox_sweep() == 1
    [sms] = smsru.messages
    assert sms["text"] == "Twoje zamówienie SF-000042 zostało potwierdzone: http://127.0.0.1:8000/orders/tok-42/"
