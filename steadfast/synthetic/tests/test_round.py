"""The synthetic checkout against the live shop over real HTTP, with Stripe's fake: what it buys, what it leaves
behind (nothing that counts), and what staff, the status page and the watcher see when it fails."""

import httpx
import pytest

from steadfast.catalog.models import Variant
from steadfast.notify.models import OutboxMessage
from steadfast.orders.dashboard import dashboard_figures
from steadfast.orders.models import Order, OrderStatus
from steadfast.payments.models import Payment
from steadfast.providers.models import Attempt, Provider
from steadfast.shipping.models import DeliveryMethod
from steadfast.status.snapshot import snapshot_clear
from steadfast.synthetic.models import SyntheticRun
from steadfast.synthetic.product import SKU, STOCK
from steadfast.synthetic.services import OPERATION, synthetic_checkout_round

pytestmark = pytest.mark.django_db(transaction=True)


def summary(live_server):
    snapshot_clear()
    return httpx.get(f"{live_server.url}/status/api/v2/summary.json", trust_env=False, timeout=15).json()


def test_round_buys_with_every_method_and_leaves_nothing_that_counts(probe_shop, fake_stripe):
    runs = synthetic_checkout_round()

    payments = set(Provider.objects.filter(kind="payment", enabled=True).values_list("code", flat=True))
    deliveries = set(DeliveryMethod.objects.filter(enabled=True).values_list("code", flat=True))
    assert {r.payment_method for r in runs} == payments and "stripe" in payments
    assert {r.delivery_method for r in runs} == deliveries
    assert [(r.payment_method, r.failed_step, r.detail) for r in runs if not r.ok] == []
    orders = Order.objects.filter(synthetic=True)
    assert sorted(orders.values_list("number", flat=True)) == sorted(r.order_number for r in runs)
    # The card was paid on the fake's page (a test key) and refunded; the offline orders are cancelled.
    assert set(orders.exclude(payment_method="stripe").values_list("status", flat=True)) == {OrderStatus.CANCELLED}
    assert orders.get(payment_method="stripe").status == OrderStatus.REFUNDED
    assert not orders.filter(stock_reserved=True).exists()
    assert Variant.objects.get(sku=SKU).stock == STOCK  # every reservation given back
    card = orders.get(payment_method="stripe").payments.get()
    assert card.state == Payment.State.REFUNDED and not card.refund_due
    cents = int(card.amount * 100)  # the item and its delivery
    assert [(c["amount"], c["refunded"]) for c in fake_stripe.charges()] == [(cents, cents)]
    assert Order.objects.filter(synthetic=False).count() == 0
    figures = dashboard_figures()
    assert figures.today_orders == 0 and figures.recent_orders == [] and figures.unpaid == 0
    assert not OutboxMessage.objects.filter(order__synthetic=True).exists()  # no customer e-mail or SMS
    assert not OutboxMessage.objects.filter(kind="staff_synthetic").exists()  # all well: nobody woken
    assert set(Attempt.objects.filter(operation=OPERATION).values_list("outcome", flat=True)) == {"ok"}

    page = summary(probe_shop)
    checkout = next(c for c in page["components"] if c["id"] == "checkout")
    assert checkout["status"] == "operational"
    assert page["synthetic_checkout"]["ok"] is True and page["synthetic_checkout"]["runs"] == len(runs)


def test_gateway_down_fails_the_card_run_alerts_once_and_recovers(probe_shop, fake_stripe):
    fake_stripe.set_fault("status", status=503)
    runs = synthetic_checkout_round()
    failed = [r for r in runs if not r.ok]
    assert [(r.payment_method, r.failed_step) for r in failed] == [("stripe", "gateway")]
    card_order = Order.objects.get(number=failed[0].order_number)
    assert card_order.synthetic and card_order.status == OrderStatus.CANCELLED
    assert not Payment.objects.filter(order=card_order, state=Payment.State.SUCCEEDED).exists()
    alerts = OutboxMessage.objects.filter(kind="staff_synthetic")
    assert alerts.count() == 1 and alerts.get().payload["ok"] is False
    assert alerts.get().payload["payment"] == "Card (Stripe)"
    assert Attempt.objects.get(operation=OPERATION, provider__code="stripe").outcome == "unavailable"

    page = summary(probe_shop)
    checkout = next(c for c in page["components"] if c["id"] == "checkout")
    assert checkout["status"] == "partial_outage"
    assert page["synthetic_checkout"]["ok"] is False
    assert page["synthetic_checkout"]["failed"][0]["payment"] == "stripe"

    synthetic_checkout_round()  # still failing: no second alert
    assert alerts.count() == 1
    fake_stripe.set_fault("ok")
    from steadfast.providers.store import store

    store.local.clear()
    from django.core.cache import cache

    cache.clear()  # the breaker opened on the 503s; the recovery is the gateway's, not the breaker's cool-down
    runs = synthetic_checkout_round()
    assert all(r.ok for r in runs), [(r.payment_method, r.failed_step, r.detail) for r in runs if not r.ok]
    assert [m.payload["ok"] for m in alerts.order_by("pk")] == [False, True]
    assert summary(probe_shop)["synthetic_checkout"]["ok"] is True
    assert SyntheticRun.objects.filter(ok=False).count() == 2
