"""Refunds: a second charge and a success after cancelling are refunded and written on the timeline; a refund that
failed or was refused is retried by the reconciliation job, under a new idempotency key only after a clear refusal."""

from steadfast.orders.models import OrderStatus
from steadfast.payments.models import Payment
from steadfast.payments.reconcile import payments_reconcile
from steadfast.payments.services import payment_start
from steadfast.payments.tests.conftest import pay_on_fake
from steadfast.payments.tests.test_payment_flow import RETURN, deliver


def test_second_charge_is_refunded_and_written_on_the_timeline(client, card_order, fake_stripe, stripe_provider):
    order = card_order()
    first = payment_start(order, stripe_provider, return_url=RETURN)
    second = payment_start(order, stripe_provider, return_url=RETURN)  # customer opened the card page twice
    pay_on_fake(fake_stripe, first.url)
    first_event = fake_stripe.events[-1]
    pay_on_fake(fake_stripe, second.url)
    assert deliver(client, fake_stripe, first_event).status_code == 200
    assert deliver(client, fake_stripe).status_code == 200

    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    late = order.payments.get(reference=second.reference)
    assert late.state == Payment.State.REFUNDED and not late.refund_due
    charges = {c["session"]: c for c in fake_stripe.charges()}
    assert charges[first.reference]["refunded"] == 0 and charges[second.reference]["refunded"] == 2490
    kinds = list(order.events.values_list("kind", flat=True))
    assert "payment_duplicate" in kinds and "payment_refunded" in kinds
    page = client.get(order.get_absolute_url()).content.decode()
    assert "refunded automatically" in page and "was refunded" in page


def test_a_failed_refund_is_retried_by_reconciliation(client, card_order, fake_stripe, stripe_provider):
    order = card_order()
    first, second = (payment_start(order, stripe_provider, return_url=RETURN) for _ in range(2))
    pay_on_fake(fake_stripe, first.url)
    deliver(client, fake_stripe)
    pay_on_fake(fake_stripe, second.url)
    fake_stripe.set_fault("status", status=503, times=1)  # the refund call fails
    assert deliver(client, fake_stripe).status_code == 200
    late = order.payments.get(reference=second.reference)
    assert late.state == Payment.State.SUCCEEDED and late.refund_due
    assert payments_reconcile()["refunded"] == 1
    late.refresh_from_db()
    assert late.state == Payment.State.REFUNDED and sum(c["refunded"] for c in fake_stripe.charges()) == 2490


def test_success_after_the_order_was_cancelled_is_refunded(client, card_order, fake_stripe, stripe_provider):
    from steadfast.orders.services import SYSTEM, order_cancel

    order = card_order()
    redirect = payment_start(order, stripe_provider, return_url=RETURN)
    order_cancel(order, SYSTEM, "reservation expired")
    pay_on_fake(fake_stripe, redirect.url)
    assert deliver(client, fake_stripe).status_code == 200
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED and fake_stripe.charges()[0]["refunded"] == 2490


def test_a_refund_the_gateway_refused_goes_through_on_the_next_try_under_a_key_of_its_own(
        client, card_order, fake_stripe, stripe_provider):
    """Stripe keeps a refused refund under its idempotency key (24 h): retried with that key it would be refused
    again however often the reconciliation job tried. After a clear refusal the next try has a key of its own."""
    from steadfast.payments.services import payment_refund

    order = card_order()
    first = payment_start(order, stripe_provider, return_url=RETURN)
    second = payment_start(order, stripe_provider, return_url=RETURN)
    pay_on_fake(fake_stripe, first.url)
    assert deliver(client, fake_stripe).status_code == 200
    fake_stripe.set_fault("refund_refused")  # the balance cannot cover it (400 balance_insufficient)
    pay_on_fake(fake_stripe, second.url)
    assert deliver(client, fake_stripe).status_code == 200
    late = order.payments.get(reference=second.reference)
    assert late.state == Payment.State.SUCCEEDED and late.refund_due and late.error.startswith("refund failed")

    fake_stripe.set_fault("ok")  # money came into the balance; Stripe still remembers the refused key
    assert payments_reconcile()["refunded"] == 1

    late.refresh_from_db()
    assert late.state == Payment.State.REFUNDED and not late.refund_due and late.refund_attempt == 1
    charges = {c["session"]: c for c in fake_stripe.charges()}
    assert charges[second.reference]["refunded"] == 2490 and charges[first.reference]["refunded"] == 0
    assert payment_refund(late).state == Payment.State.REFUNDED  # nothing more happens
    assert {c["session"]: c["refunded"] for c in fake_stripe.charges()}[second.reference] == 2490


def test_a_refund_whose_answer_was_lost_is_retried_under_the_same_key_and_made_once(
        client, card_order, fake_stripe, stripe_provider):
    """The gateway made the refund but the answer was lost: the retry must reuse the key (a new one would refund
    the customer twice)."""
    order = card_order()
    first = payment_start(order, stripe_provider, return_url=RETURN)
    second = payment_start(order, stripe_provider, return_url=RETURN)
    pay_on_fake(fake_stripe, first.url)
    assert deliver(client, fake_stripe).status_code == 200
    fake_stripe.set_fault("reset_after")  # the refund is made, the connection drops before the answer
    pay_on_fake(fake_stripe, second.url)
    deliver(client, fake_stripe)
    fake_stripe.set_fault("ok")
    late = order.payments.get(reference=second.reference)
    assert late.refund_due and late.refund_attempt == 0  # the shop does not know the refund was made
    assert {c["session"]: c["refunded"] for c in fake_stripe.charges()}[second.reference] == 2490

    assert payments_reconcile()["refunded"] == 1

    late.refresh_from_db()
    assert late.state == Payment.State.REFUNDED and late.refund_attempt == 0
    assert {c["session"]: c["refunded"] for c in fake_stripe.charges()}[second.reference] == 2490  # once
