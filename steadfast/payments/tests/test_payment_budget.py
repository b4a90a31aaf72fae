"""The payment step's time budget and the bounded reconciliation run, against the Stripe fake over real HTTP.

No wall-clock assertions: a hanging fake never answers, so what is checked is which timeout each send got (the
Attempt's latency can only be at least the timeout that ended it) and how many sends were made.
"""

import pytest

from steadfast.payments import routing
from steadfast.payments.models import Payment
from steadfast.payments.reconcile import payments_reconcile
from steadfast.payments.services import PaymentFailed, payment_start
from steadfast.providers.breaker import breaker_reset
from steadfast.providers.models import Attempt

pytestmark = pytest.mark.django_db
RETURN = "http://testserver/orders/x/"


def creates(fake):
    return [r for r in fake.log if r.method == "POST" and r.path.startswith("/v1/checkout/sessions")]


def test_a_hanging_gateway_holds_the_customer_no_longer_than_the_budget(settings, card_order, fake_stripe,
                                                                         stripe_provider):
    settings.PAYMENT_STEP_BUDGET = 2
    stripe_provider.config.update(read_timeout=30, start_timeout=1.5)  # the general timeout would hold 30 s
    stripe_provider.save()
    fake_stripe.set_fault("hang")
    order = card_order()
    with pytest.raises(PaymentFailed) as failed:
        payment_start(order, stripe_provider, return_url=RETURN)
    # A hosted page whose address never reached the customer cannot have been paid: other methods at once.
    assert failed.value.decision.outcome == "unavailable" and failed.value.decision.offer_others
    # One send of at most 1.5 s (2 s less the 0.5 s reserve, rounded down to call.CAP_STEP: 1 s); nothing left for a
    # replay: the session the gateway may have made is closed by its key in the background.
    assert len(creates(fake_stripe)) == 1
    (attempt,) = Attempt.objects.filter(operation="start")
    assert attempt.outcome == "indeterminate" and 1000 <= attempt.latency_ms < 30000, attempt.latency_ms
    payment = Payment.objects.get(order=order)
    assert (payment.state, payment.expire_due) == (Payment.State.FAILED, True), (payment.state, payment.expire_due)


def test_the_replay_gets_only_what_is_left_of_the_budget(settings, card_order, fake_stripe, stripe_provider):
    settings.PAYMENT_STEP_BUDGET = 3
    stripe_provider.config.update(read_timeout=30, start_timeout=1)
    stripe_provider.save()
    fake_stripe.set_fault("hang")
    with pytest.raises(PaymentFailed):
        payment_start(card_order(), stripe_provider, return_url=RETURN)
    assert len(creates(fake_stripe)) == 1 + routing.QUICK_CHECKS  # 1 s + (at most) 1 s of the 2 s left
    assert all(a.latency_ms < 30000 for a in Attempt.objects.filter(operation="start"))


def test_start_timeout_is_the_general_one_capped_by_what_is_left():
    class P:
        config = {"start_timeout": 4}

    far = routing.payment_step_deadline() + 100
    assert routing.start_timeout(P, far) == 4
    P.config = {}
    assert routing.start_timeout(P, far) == routing.DEFAULT_START_TIMEOUT
    assert routing.start_timeout(P, routing.payment_step_deadline() - 100) is None


def test_a_reconciliation_run_is_bounded_and_the_rest_waits_for_the_next(settings, card_order, fake_stripe,
                                                                         stripe_provider):
    settings.PAYMENT_RECONCILE_BUDGET = 10
    orders = [card_order() for _ in range(3)]
    for order in orders:
        payment_start(order, stripe_provider, return_url=RETURN)
    Payment.objects.update(state=Payment.State.UNKNOWN)
    ticks = iter([0, 1, 12, 13, 14, 15])  # the clock the run reads: start, before each payment, before refunds

    counts = payments_reconcile(clock=lambda: next(ticks))
    assert (counts["checked"], counts["deferred"]) == (1, 2), counts
    assert Payment.objects.filter(state=Payment.State.PENDING).count() == 1
    counts = payments_reconcile()  # the next run takes the rest, the oldest-touched first
    assert (counts["checked"], counts["deferred"]) == (2, 0), counts
    assert Payment.objects.filter(state=Payment.State.PENDING).count() == 3


def test_closing_lost_sessions_stops_at_the_runs_budget_and_the_rest_waits(settings, card_order, fake_stripe,
                                                                          stripe_provider):
    """Pages whose start answers were lost are closed by the reconciliation run too, inside its budget: during a
    hang each close can take a replay's full timeout, which must not hold the worker's periodic jobs."""
    settings.PAYMENT_RECONCILE_BUDGET = 10
    fake_stripe.set_fault("reset_after", times=3 * (1 + routing.QUICK_CHECKS))
    for _ in range(3):
        with pytest.raises(PaymentFailed):
            payment_start(card_order(), stripe_provider, return_url=RETURN)
        breaker_reset(stripe_provider)  # three customers, each meeting the lost answers (not an open breaker)
    assert Payment.objects.filter(expire_due=True).count() == 3
    ticks = iter([0, 1, 12, 13])  # the clock the run reads: start, then before each close

    counts = payments_reconcile(clock=lambda: next(ticks))
    assert (counts["closed"], counts["deferred"]) == (1, 2), counts
    assert Payment.objects.filter(expire_due=True).count() == 2
    counts = payments_reconcile()
    assert (counts["closed"], counts["deferred"]) == (2, 0), counts
    assert not Payment.objects.filter(expire_due=True).exists()
    assert all(s["status"] == "expired" for s in fake_stripe.sessions.values()), fake_stripe.sessions
