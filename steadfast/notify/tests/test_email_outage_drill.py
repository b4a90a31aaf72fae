"""The drill from the issue: e-mail is down for an hour while 200 orders come in. Every customer gets their
confirmation by SMS, exactly once; the e-mail server is barely touched once its breaker is open; and when e-mail
comes back, nobody gets the confirmation a second time by e-mail."""

import pytest

from steadfast.notify.models import OutboxMessage
from steadfast.notify.tasks import outbox_sweep
from steadfast.notify.tests.conftest import message_add, time_passes
from steadfast.providers.models import Attempt

pytestmark = pytest.mark.django_db
ORDERS = 200


def test_email_down_for_an_hour_with_200_orders(settings, channels, smtp, smsru, telegram):
    email = channels["email"]
    email.config = {**email.config, "cooldown": 3600}  # the outage lasts the hour: no trial call meanwhile
    email.save()
    smtp.set_fault("refuse")
    for n in range(ORDERS):
        message_add(f"order_confirmation:{n}", addresses={"email": f"c{n}@example.com",
                                                         "sms": f"+48 600 {n:03d} 000"})
    for _run in range(5):
        while outbox_sweep(limit=500):
            pass
        time_passes()  # the retry backoff is over
        if not OutboxMessage.objects.filter(status="pending").exists():
            break

    assert OutboxMessage.objects.filter(status="sent", channel="sms").count() == ORDERS
    numbers = [m["to"] for m in smsru.messages]
    assert len(numbers) == ORDERS and len(set(numbers)) == ORDERS  # everyone once
    assert smtp.messages == [] and telegram.messages == []
    tried = Attempt.objects.filter(provider=email).exclude(outcome="rejected").count()
    assert tried <= settings.BREAKER_CONSECUTIVE + 1, f"{tried} calls reached the dead e-mail server"

    smtp.set_fault("ok")  # e-mail is back an hour later
    time_passes()
    assert outbox_sweep(limit=500) == 0
    assert smtp.messages == [] and len(smsru.messages) == ORDERS
