""""Complete your payment": a gateway that comes back e-mails the customers it turned away, once per order."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from steadfast.notify.delivery import outbox_deliver
from steadfast.notify.models import OutboxMessage
from steadfast.orders.services import order_cancel
from steadfast.payments.models import Payment
from steadfast.payments.services import PaymentFailed, payment_start
from steadfast.providers.breaker import breaker_reset, cooldown
from steadfast.providers.models import HealthEvent
from steadfast.providers.probes import providers_probe
from steadfast.providers.selectors import provider_state

pytestmark = pytest.mark.django_db
RETURN = "http://testserver/orders/x/"


def fail(order, provider):
    with pytest.raises(PaymentFailed):
        payment_start(order, provider, return_url=RETURN)


def break_and_recover(fake, provider, orders, clock):
    """The gateway answers 503 until its breaker opens, then recovers; the probe is the trial that closes it."""
    fake.set_fault("status", status=503)
    for order in orders:
        fail(order, provider)
    assert provider_state(provider) == "open"
    fake.set_fault("ok")
    clock.advance(cooldown(provider) + 1)  # the breaker's clock: the cool-down is over, no waiting
    providers_probe(provider.code)
    assert provider_state(provider) == "closed"


def recovered():
    return OutboxMessage.objects.filter(kind="payment_recovered")


def test_orders_turned_away_get_one_complete_your_payment_email(
    card_order, fake_stripe, stripe_provider, breaker_clock
):
    turned_away = [card_order(), card_order()]
    paid_elsewhere, too_old, cancelled = card_order(), card_order(), card_order()
    fake_stripe.set_fault("status", status=503)
    for order in (paid_elsewhere, too_old, cancelled):
        fail(order, stripe_provider)
    Payment.objects.filter(order=too_old).update(updated_at=timezone.now() - timedelta(hours=2))
    order_cancel(cancelled, "system")
    breaker_reset(stripe_provider)  # three in a row opened it; start the story from a working gateway
    fake_stripe.set_fault("ok")
    payment_start(paid_elsewhere, stripe_provider, return_url=RETURN)  # tried again since: latest attempt is fine

    break_and_recover(fake_stripe, stripe_provider, [*turned_away, turned_away[1]], breaker_clock)
    assert HealthEvent.objects.filter(provider=stripe_provider, to_state="closed").exists()
    assert set(recovered().values_list("order_id", flat=True)) == {o.pk for o in turned_away}

    message = recovered().get(order=turned_away[0])
    assert message.key == f"payment_recovered:{turned_away[0].pk}" and message.recipient == "ann@example.com"
    assert outbox_deliver(message.pk)
    email = mail.outbox[-1]
    assert email.subject == f"You can now complete the payment for order {turned_away[0].number}"
    assert "Card (Stripe) was not working" in email.body
    assert f"/orders/{turned_away[0].token}/" in email.body

    # The gateway flaps: out and back again. Still one e-mail per order.
    break_and_recover(fake_stripe, stripe_provider, turned_away[:1] * 3, breaker_clock)
    assert recovered().count() == 2


def test_off_by_setting(settings, card_order, fake_stripe, stripe_provider, breaker_clock):
    settings.PAYMENT_RECOVERY_EMAILS = False
    break_and_recover(fake_stripe, stripe_provider, [card_order() for _ in range(3)], breaker_clock)
    assert not recovered().exists()


def test_declines_are_not_told(card_order, fake_stripe, stripe_provider, breaker_clock):
    declined = card_order()
    fake_stripe.set_fault("decline", times=1)
    fail(declined, stripe_provider)
    break_and_recover(fake_stripe, stripe_provider, [card_order() for _ in range(3)], breaker_clock)
    assert recovered().count() == 3 and not recovered().filter(order=declined).exists()
