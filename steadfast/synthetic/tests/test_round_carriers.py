"""The synthetic round with live carriers on their fakes: a CDEK courier priced for the probe's address and an InPost
locker reached through the pickup-point step; a dead carrier fails its own run at the delivery step."""

import pytest

from steadfast.notify.models import OutboxMessage
from steadfast.orders.models import Order, OrderStatus
from steadfast.providers.models import Attempt
from steadfast.shipping.models import DeliveryMethod, Shipment
from steadfast.shipping.tasks import shipments_sweep
from steadfast.shipping.tests.conftest import (  # noqa: F401  (fixtures)
    cdek_method,
    cdek_provider,
    emergency_method,
    fake_cdek,
    fake_inpost,
    inpost,
)
from steadfast.synthetic.services import OPERATION, synthetic_checkout_round

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def carriers(probe_shop, cdek_method, inpost, emergency_method, settings):  # noqa: F811
    settings.SHOP_CURRENCY = "PLN"  # InPost prices in złoty only
    settings.SHIPPING_QUOTE_DEADLINE = 5  # a busy machine; a dead carrier answers 503 at once anyway
    settings.SYNTHETIC_CHECKOUT_PLACES = {"PL": ("00-017", "Warszawa")}  # where the fake InPost has a locker
    return DeliveryMethod.objects.create(code="paczkomat", name="InPost locker", kind="carrier", provider=inpost,
                                         service="inpost_locker_standard", countries=["PL"], position=6)


def failures(runs):
    return [(r.payment_method, r.delivery_method, r.failed_step, r.detail) for r in runs if not r.ok]


def test_round_buys_by_cdek_courier_and_inpost_locker(carriers, fake_cdek, fake_inpost, fake_stripe):  # noqa: F811
    runs = synthetic_checkout_round()

    assert failures(runs) == []
    # The emergency method is never offered next to answering carriers: not a pair to buy.
    assert {r.delivery_method for r in runs} == {"courier", "pickup", "cdek", "paczkomat"}
    orders = Order.objects.filter(synthetic=True)
    assert orders.count() == len(runs) and not Order.objects.filter(synthetic=False).exists()
    # Cancelled, or (the card, paid on Stripe's fake and refunded) refunded: none left to ship or count.
    assert set(orders.values_list("status", flat=True)) == {OrderStatus.CANCELLED, OrderStatus.REFUNDED}
    cdek_order, locker_order = orders.get(delivery_method="cdek"), orders.get(delivery_method="paczkomat")
    # The live price for the probe's address (the fake adds by postcode), the locker chosen from the list.
    assert cdek_order.delivery_total > 0 and cdek_order.currency == "PLN" and cdek_order.city == "Warszawa"
    assert locker_order.pickup_point == "WAW01M" and locker_order.address_line1 == ""
    shipments_sweep()  # cash on delivery ships unpaid: no parcel may be booked for a probe's order
    assert not Shipment.objects.exists() and fake_cdek.ledger.shipments == [] and fake_inpost.ledger.shipments == []
    probes = Attempt.objects.filter(operation=OPERATION)
    assert set(probes.filter(provider__code__in=["cdek", "inpost"]).values_list("provider__code", "outcome")) == {
        ("cdek", "ok"), ("inpost", "ok")}
    assert not OutboxMessage.objects.filter(kind="staff_synthetic").exists()


def test_a_dead_carrier_fails_its_run_at_delivery_and_alerts_once(carriers, fake_cdek, fake_stripe):  # noqa: F811
    fake_cdek.set_fault("status", status=503)
    runs = synthetic_checkout_round()

    # InPost still answers, so the emergency method is not offered either: CDEK's pair fails, naming the step.
    assert [(d, step, detail) for _, d, step, detail in failures(runs)] == [
        ("cdek", "delivery", "'value=\"cdek\"' not offered")]
    assert Attempt.objects.get(operation=OPERATION, provider__code="cdek").outcome == "unavailable"
    assert Attempt.objects.get(operation=OPERATION, provider__code="inpost").outcome == "ok"
    assert not Order.objects.filter(delivery_method__in=["cdek", "standard"]).exists()
    assert set(Order.objects.values_list("status", flat=True)) == {OrderStatus.CANCELLED, OrderStatus.REFUNDED}
    alert = OutboxMessage.objects.get(kind="staff_synthetic")
    assert (alert.payload["ok"], alert.payload["delivery"], alert.payload["step"]) == (False, "CDEK courier",
                                                                                       "delivery")
    synthetic_checkout_round()  # still down: no second alert
    assert OutboxMessage.objects.filter(kind="staff_synthetic").count() == 1
