"""The daily test payment: a real test-mode charge and refund at the Stripe fake, recorded as Attempts."""

import logging

import pytest

from steadfast.providers.models import Attempt
from steadfast.providers.probes import providers_daily_test
from steadfast.providers.selectors import provider_state

pytestmark = pytest.mark.django_db


def test_daily_job_charges_the_test_card_once_and_refunds_it(stripe_provider, fake_stripe):
    results = {r.provider.code: r for r in providers_daily_test()}
    assert results["stripe"].outcome == "ok"
    attempts = Attempt.objects.filter(provider=stripe_provider, reference="daily-test").order_by("pk")
    assert [(a.operation, a.outcome) for a in attempts] == [("daily_test_charge", "ok"), ("daily_test_refund", "ok")]
    [charge] = fake_stripe.charges()
    assert charge["amount"] == 100 and charge["refunded"] == 100 and charge["order"] is None
    [refund] = fake_stripe.refunds.values()
    assert refund["payment_intent"] == charge["id"]
    intent_request = next(r for r in fake_stripe.log if r.path.startswith("/v1/payment_intents"))
    assert b"payment_method=pm_card_visa" in intent_request.body and b"confirm=true" in intent_request.body

    providers_daily_test()  # run twice the same day (a retried job): replayed, not charged again
    assert len(fake_stripe.charges()) == 1 and len(fake_stripe.refunds) == 1


def test_a_live_key_is_never_charged(stripe_provider, fake_stripe, monkeypatch, caplog):
    monkeypatch.setenv("STEADFAST_STRIPE_SECRET_KEY", "sk_live_realmoney")
    with caplog.at_level(logging.WARNING):
        providers_daily_test()
    assert "daily test payment skipped: the secret key is not a test-mode key" in caplog.text
    assert "sk_live_realmoney" not in caplog.text
    assert fake_stripe.requests == 0 and not Attempt.objects.exists()


def test_a_failing_daily_test_feeds_health(stripe_provider, fake_stripe):
    fake_stripe.set_fault("status", status=500)
    [result] = [r for r in providers_daily_test() if r.provider.code == "stripe"]
    assert result.outcome == "unavailable"
    assert Attempt.objects.get(reference="daily-test").operation == "daily_test_charge"
    assert not fake_stripe.charges() and provider_state(stripe_provider) == "closed"  # one failure: still in service
