"""/metrics, the dashboard's revenue and accounting after a synthetic checkout round that paid and refunded a card
(Stripe's fake) and cancelled its offline orders: only the real order counts anywhere."""

import pytest
from django.db import transaction

from steadfast.accounting.models import SyncRow
from steadfast.accounting.sync import sync_target_ensure
from steadfast.checkout.services import order_place
from steadfast.metrics.tests.test_metrics import TOKEN, samples
from steadfast.orders.dashboard import dashboard_figures
from steadfast.orders.models import Order, OrderStatus
from steadfast.orders.services import SYSTEM, order_mark_paid
from steadfast.payments.tests.conftest import fake_stripe, stripe_provider  # noqa: F401  (fixtures)
from steadfast.providers.models import Provider
from steadfast.synthetic.services import synthetic_checkout_round
from steadfast.synthetic.tests.conftest import probe_shop  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def figures(client) -> dict:
    found = samples(client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}"))
    return {key: value for key, value in found.items() if key[0].startswith("steadfast_orders")}


def test_a_paid_and_refunded_test_order_counts_nowhere_a_real_one_does(
        client, settings, probe_shop, fake_stripe, make_variant, details):  # noqa: F811
    settings.METRICS_TOKEN = TOKEN
    target = Provider.objects.create(kind="accounting", code="export", adapter="signed_webhook", name="Export",
                                     config={"api_base": "http://127.0.0.1:9"})
    sync_target_ensure(target)
    runs = synthetic_checkout_round()
    assert all(r.ok for r in runs) and fake_stripe.charges()  # a card was really charged (and refunded)
    probes = Order.objects.filter(synthetic=True)
    assert set(probes.values_list("status", flat=True)) == {OrderStatus.CANCELLED, OrderStatus.REFUNDED}
    assert probes.filter(paid_at__isnull=False).exists()

    assert figures(client) == {("steadfast_orders_placed_last_hour", ()): 0}  # no order, no status, no rate
    dashboard = dashboard_figures()
    assert (dashboard.today_orders, dashboard.today_revenue.amount, dashboard.today_paid.amount) == (0, 0, 0)
    assert not SyncRow.objects.filter(order_number__in=probes.values_list("number", flat=True)).exists()

    real, _ = order_place(lines=[(make_variant(stock=5, price="20.00").pk, 1)], details=details,
                          idempotency_key="real-1")
    with transaction.atomic():
        order_mark_paid(real, SYSTEM)
    assert figures(client) == {("steadfast_orders", (("status", "paid"),)): 1,
                               ("steadfast_orders_placed_last_hour", ()): 1}
    dashboard = dashboard_figures()
    assert (dashboard.today_orders, dashboard.today_paid.amount) == (1, real.total)
    assert SyncRow.objects.filter(order_number=real.number).exists()
