"""The synthetic checkout's money leg against the gateway fakes over real HTTP: in test mode the gateway's page is paid,
the shop sees the payment, refunds it through its own refund path and the fake's ledger shows the charge given back;
a refused refund fails the run at "refund" (staff alerted, the charge still visible and retried); a live account is
never charged."""

from datetime import timedelta

import pytest
from django.utils import timezone

from steadfast.catalog.models import Variant
from steadfast.fakes.paypal import FakePayPal
from steadfast.fakes.testing import STRIPE_KEY
from steadfast.fakes.yookassa import FakeYooKassa
from steadfast.notify.models import OutboxMessage
from steadfast.orders.models import Order, OrderStatus
from steadfast.payments.models import Payment
from steadfast.payments.reconcile import payments_reconcile
from steadfast.providers.models import Attempt, Provider
from steadfast.synthetic.models import SyntheticRun
from steadfast.synthetic.product import SKU, STOCK
from steadfast.synthetic.services import synthetic_checkout_round, synthetic_leftovers_settle

pytestmark = pytest.mark.django_db(transaction=True)
MONEY_STEPS = ["place", "pay", "captured", "order page", "refund"]


def run_of(runs, code) -> SyntheticRun:
    return next(r for r in runs if r.payment_method == code)


def steps(run) -> list[str]:
    names = [s["step"] for s in run.steps]
    return [name for name in dict.fromkeys(names) if name in MONEY_STEPS + ["gateway"]]


def test_stripe_test_payment_is_captured_then_refunded(probe_shop, fake_stripe):
    fake_stripe.webhook_url = f"{probe_shop.url}/payments/webhooks/stripe/"  # the webhook races the return, as live
    runs = synthetic_checkout_round()

    card = run_of(runs, "stripe")
    assert card.ok, (card.failed_step, card.detail)
    assert steps(card) == MONEY_STEPS
    order = Order.objects.get(number=card.order_number)
    payment = order.payments.get()
    # The fake's own ledger: one charge of the order's total, refunded in full.
    cents = int(order.total * 100)
    assert [(c["amount"], c["refunded"], c["order"]) for c in fake_stripe.charges()] == [(cents, cents, order.number)]
    assert [r["amount"] for r in fake_stripe.refunds.values()] == [cents]
    # The shop's rows: the payment captured (charge reference kept) then refunded; the order refunded, stock back.
    assert payment.state == Payment.State.REFUNDED and payment.charge_reference.startswith("pi_")
    assert not payment.refund_due and payment.error == ""
    assert order.synthetic and order.status == OrderStatus.REFUNDED and order.paid_at is not None
    assert not order.stock_reserved and Variant.objects.get(sku=SKU).stock == STOCK
    timeline = list(order.events.values_list("to_status", flat=True))
    assert OrderStatus.PAID in timeline and timeline[-1] == OrderStatus.REFUNDED
    assert Attempt.objects.filter(provider__code="stripe", operation="test_pay", outcome="ok").count() == 1
    assert Attempt.objects.filter(provider__code="stripe", operation="refund", outcome="ok").count() == 1
    assert not OutboxMessage.objects.filter(order=order).exists()  # no "paid" e-mail to the probe's address


def test_a_refused_refund_fails_the_run_at_refund_alerts_and_keeps_the_charge_in_sight(probe_shop, fake_stripe):
    fake_stripe.set_fault("refund_refused")
    runs = synthetic_checkout_round()

    card = run_of(runs, "stripe")
    assert (card.ok, card.failed_step) == (False, "refund")
    assert "balance" in card.detail and "still charged" in card.detail
    assert [s["step"] for s in card.steps if not s["ok"]] == ["refund"]
    assert all(r.ok for r in runs if r is not card)
    alert = OutboxMessage.objects.get(kind="staff_synthetic")
    assert (alert.payload["ok"], alert.payload["step"], alert.payload["order"]) == (False, "refund", card.order_number)
    # The money is not lost from sight: charged at the fake, "refund due" with the error in the shop, order paid.
    order = Order.objects.get(number=card.order_number)
    payment = order.payments.get()
    assert [(c["amount"], c["refunded"]) for c in fake_stripe.charges()] == [(int(order.total * 100), 0)]
    assert payment.state == Payment.State.SUCCEEDED and payment.refund_due
    assert payment.error.startswith("refund failed, will retry")
    assert order.status == OrderStatus.PAID and order.synthetic
    assert Variant.objects.get(sku=SKU).stock == STOCK - 1  # held by that order until its money is back

    # Stripe keeps the refusal under the refund's idempotency key; the reconciliation job's retry has a key of its
    # own, goes through, and the next round closes the order and gives the stock back.
    fake_stripe.set_fault("ok")
    assert payments_reconcile()["refunded"] == 1
    synthetic_leftovers_settle(now=timezone.now() + timedelta(hours=1))
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED and Variant.objects.get(sku=SKU).stock == STOCK
    assert [(c["amount"], c["refunded"]) for c in fake_stripe.charges()] == [(int(order.total * 100),) * 2]


@pytest.mark.parametrize("mode", ["live key", "payments off"])
def test_live_mode_or_payments_off_stop_at_the_gateway_page(probe_shop, fake_stripe, monkeypatch, settings, mode):
    if mode == "live key":
        live = "sk_live_" + STRIPE_KEY.removeprefix("sk_test_")
        fake_stripe.api_key = live
        monkeypatch.setenv("STEADFAST_STRIPE_SECRET_KEY", live)
        reason = "stops at the gateway page (live mode)"
    else:
        settings.SYNTHETIC_CHECKOUT_PAY = False
        reason = "stops at the gateway page (test payments are off (SYNTHETIC_CHECKOUT_PAY))"
    runs = synthetic_checkout_round()

    card = run_of(runs, "stripe")
    assert card.ok, (card.failed_step, card.detail)
    pay = next(s for s in card.steps if s["step"] == "pay")
    assert pay["skipped"] and pay["detail"] == reason
    assert steps(card) == ["place", "pay", "order page"]
    assert fake_stripe.charges() == [] and fake_stripe.refunds == {}  # nothing charged at the gateway
    assert not Attempt.objects.filter(operation="test_pay").exists()  # its page was never even opened
    order = Order.objects.get(number=card.order_number)
    assert order.status == OrderStatus.CANCELLED and order.payments.get().expire_due  # the page is closed


@pytest.fixture
def hosted_gateways(probe_shop, monkeypatch):
    """PayPal and YooKassa on their fakes next to Stripe: PayPal approves on its page and the shop captures on the
    return; YooKassa charges on its page."""
    paypal, yookassa = FakePayPal().start(), FakeYooKassa().start()
    for name, value in {"PAYPAL_CLIENT_ID": "fake-client-id", "PAYPAL_CLIENT_SECRET": "fake-client-secret",
                        "PAYPAL_WEBHOOK_ID": "WH-FAKE-0001", "YOOKASSA_SHOP_ID": "100500",
                        "YOOKASSA_SECRET_KEY": "test_fake_secret"}.items():
        monkeypatch.setenv(f"STEADFAST_{name}", value)
    timeouts = {"connect_timeout": 2, "read_timeout": 5}
    Provider.objects.create(kind="payment", code="paypal", adapter="paypal", name="PayPal", priority=110,
                            config={"api_base": paypal.url, **timeouts})
    Provider.objects.create(kind="payment", code="yookassa", adapter="yookassa", name="YooKassa", priority=120,
                            config={"api_base": yookassa.url, **timeouts})
    yield paypal, yookassa
    paypal.stop()
    yookassa.stop()


def test_paypal_and_yookassa_fakes_are_paid_and_refunded(hosted_gateways, fake_stripe):
    paypal, yookassa = hosted_gateways
    runs = synthetic_checkout_round()

    assert [(r.payment_method, r.failed_step, r.detail) for r in runs if not r.ok] == []
    for code, fake in (("paypal", paypal), ("yookassa", yookassa)):
        run = run_of(runs, code)
        assert steps(run) == MONEY_STEPS, code
        order = Order.objects.get(number=run.order_number)
        payment = order.payments.get()
        assert payment.state == Payment.State.REFUNDED and order.status == OrderStatus.REFUNDED, code
        charges = fake.ledger.successful()
        assert [(c.key, c.amount, c.refunded) for c in charges] == [(str(payment.key), order.total, order.total)]
        assert [amount for _, _, amount in fake.ledger.refunds] == [order.total]
    assert Variant.objects.get(sku=SKU).stock == STOCK
    assert not Order.objects.filter(synthetic=False).exists()
