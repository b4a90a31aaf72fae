"""Shipments are registered by the worker, exactly once per order at the carrier, whatever fails when.

Checked against the CDEK fake's own ledger, not our rows. The worker's clock is the test's (`now`), so retries
after a backoff need no sleeping.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from steadfast.shipping.models import Shipment
from steadfast.shipping.tasks import shipments_drain, shipments_sweep, shipments_track

LATER = timedelta(hours=2)  # past any backoff


def timeline(order):
    return [e.message for e in order.events.filter(kind="shipment").order_by("pk")]


def test_a_paid_order_is_registered_at_the_carrier_with_its_tracking_number(paid_order, fake_cdek):
    shipment = Shipment.objects.get(order=paid_order)
    assert shipment.state == Shipment.State.WAITING and shipment.service == "137"

    shipments_sweep()

    shipment.refresh_from_db()
    assert shipment.state == Shipment.State.CREATED and shipment.tracking_number.startswith("10")
    assert fake_cdek.ledger.for_number(paid_order.number) == [(paid_order.number, shipment.reference)]
    assert timeline(paid_order)[-1] == (f"Shipment created with CDEK, tracking number {shipment.tracking_number}.")


@pytest.mark.parametrize("lost", ["reset_after", "hang_after"])
def test_a_lost_answer_is_found_again_by_order_number_never_created_twice(paid_order, fake_cdek, lost):
    fake_cdek.set_fault(lost, times=1)
    if lost == "hang_after":
        paid_order.shipment.provider.config["read_timeout"] = 0.5
        paid_order.shipment.provider.save()

    shipments_sweep()
    shipment = Shipment.objects.get(order=paid_order)
    assert shipment.state == Shipment.State.WAITING and shipment.sent and shipment.attempts == 1
    assert len(fake_cdek.ledger.for_number(paid_order.number)) == 1  # CDEK did register it

    shipments_sweep(timezone.now() + LATER)

    shipment.refresh_from_db()
    assert shipment.state == Shipment.State.CREATED, shipment.last_error
    assert fake_cdek.ledger.for_number(paid_order.number) == [(paid_order.number, shipment.reference)]


def test_shipments_wait_while_the_carrier_is_down_and_complete_when_it_returns(paid_order, fake_cdek):
    fake_cdek.set_fault("status", status=503)

    shipments_sweep()
    shipments_sweep()  # not due yet: the carrier is not hammered

    shipment = Shipment.objects.get(order=paid_order)
    assert shipment.state == Shipment.State.WAITING and shipment.attempts == 1
    assert "HTTP 503" in shipment.last_error
    assert timeline(paid_order)[-1] == "CDEK is not reachable; the shipment waits and is retried automatically."
    assert fake_cdek.ledger.shipments == []

    fake_cdek.set_fault("ok")
    shipments_sweep(timezone.now() + LATER)

    shipment.refresh_from_db()
    assert shipment.state == Shipment.State.CREATED and shipment.last_error == ""
    assert len(fake_cdek.ledger.for_number(paid_order.number)) == 1


def test_a_shipment_the_carrier_refuses_is_shown_to_staff_not_retried(paid_order, fake_cdek):
    Shipment.objects.filter(order=paid_order).update(service="999")  # a tariff this account does not have

    shipments_sweep()
    shipments_sweep(timezone.now() + LATER)

    shipment = Shipment.objects.get(order=paid_order)
    assert shipment.state == Shipment.State.FAILED and "v2_tariff_not_found" in shipment.last_error
    assert "CDEK refused the shipment" in timeline(paid_order)[-1]
    assert fake_cdek.ledger.shipments == []


def test_staff_see_waiting_shipments_and_retry_them_when_the_carrier_is_back(paid_order, fake_cdek, admin_client):
    fake_cdek.set_fault("status", status=503)
    shipments_sweep()

    listing = admin_client.get("/admin/shipping/shipment/?state__exact=waiting").content.decode()
    assert paid_order.number in listing and "Waiting for the carrier" in listing and "HTTP 503" in listing

    fake_cdek.set_fault("ok")
    shipment = Shipment.objects.get(order=paid_order)
    response = admin_client.post("/admin/shipping/shipment/",
                                 {"action": "retry_now", "_selected_action": [shipment.pk]}, follow=True)
    assert "1 shipment(s) queued again." in response.content.decode()
    shipments_sweep()  # the worker, now (no waiting for the backoff)

    shipment.refresh_from_db()
    assert shipment.state == Shipment.State.CREATED
    assert len(fake_cdek.ledger.for_number(paid_order.number)) == 1


def test_carrier_status_changes_land_on_the_order_timeline_until_delivered(paid_order, fake_cdek):
    shipments_sweep()
    shipment = Shipment.objects.get(order=paid_order)
    assert shipment.state == Shipment.State.CREATED and shipment.carrier_status == "Order created"
    fake_cdek.status_add(shipment.reference, "ACCEPTED_AT_PICK_UP_POINT", "Accepted at the pickup point", "Moscow")

    shipments_track(timezone.now() + LATER)
    shipments_track(timezone.now() + LATER)  # not due again yet: no second poll, no duplicate entry
    fake_cdek.status_add(shipment.reference, "DELIVERED", "Delivered", "Saint Petersburg")
    shipments_track(timezone.now() + 2 * LATER)

    shipment.refresh_from_db()
    assert shipment.state == Shipment.State.DELIVERED
    tracking = [e.message for e in paid_order.events.filter(kind="tracking").order_by("pk")]
    assert tracking == ["CDEK: Accepted at the pickup point", "CDEK: Delivered"]


def test_staff_move_waiting_shipments_to_another_carrier_with_one_action(
        paid_order, fake_cdek, inpost, fake_inpost, admin_client):
    from steadfast.shipping.models import DeliveryMethod

    DeliveryMethod.objects.create(code="inpost", name="InPost courier", kind="carrier", provider=inpost,
                                  service="inpost_courier_standard")
    fake_cdek.set_fault("status", status=503)
    shipments_sweep()
    shipment = Shipment.objects.get(order=paid_order)
    assert shipment.state == Shipment.State.WAITING and not shipment.sent  # CDEK took nothing

    response = admin_client.post("/admin/shipping/shipment/",
                                 {"action": "move_to_inpost", "_selected_action": [shipment.pk]}, follow=True)
    assert "1 shipment(s) moved to InPost courier." in response.content.decode()
    shipments_sweep()

    shipment.refresh_from_db()
    assert shipment.provider == inpost and shipment.state == Shipment.State.CREATED
    assert fake_inpost.ledger.for_number(paid_order.number) == [(paid_order.number, shipment.reference)]
    assert fake_cdek.ledger.shipments == []
    assert timeline(paid_order)[-2] == "Shipment moved from CDEK to InPost."


def test_a_shipment_that_may_exist_at_its_carrier_is_not_moved(paid_order, fake_cdek, inpost, admin_client):
    from steadfast.shipping.models import DeliveryMethod

    DeliveryMethod.objects.create(code="inpost", name="InPost courier", kind="carrier", provider=inpost,
                                  service="inpost_courier_standard")
    fake_cdek.set_fault("reset")  # sent, answer lost: CDEK may have it
    shipments_sweep()
    shipment = Shipment.objects.get(order=paid_order)
    assert shipment.sent

    response = admin_client.post("/admin/shipping/shipment/",
                                 {"action": "move_to_inpost", "_selected_action": [shipment.pk]}, follow=True)

    assert f"Left alone (already sent to their carrier, may exist there: cancel them there first): " \
           f"{paid_order.number}" in response.content.decode()
    shipment.refresh_from_db()
    assert shipment.provider.code == "cdek"


def test_an_order_refunded_before_its_parcel_reached_the_carrier_is_not_shipped(paid_order, fake_cdek):
    from steadfast.orders.services import SYSTEM, order_refund

    fake_cdek.set_fault("status", status=503)
    shipments_sweep()  # the carrier is out: the shipment waits
    order_refund(paid_order, SYSTEM, "customer changed their mind")
    fake_cdek.set_fault("ok")

    shipments_sweep(timezone.now() + LATER)

    shipment = Shipment.objects.get(order=paid_order)
    assert shipment.state == Shipment.State.CANCELLED
    assert timeline(paid_order)[-1] == "Shipment not created: the order was cancelled."
    assert fake_cdek.ledger.shipments == []


@pytest.fixture
def five_paid_orders(paid_order, cdek_method, make_variant, details):
    from dataclasses import replace

    from django.db import transaction

    from steadfast.checkout.services import order_place
    from steadfast.orders.services import SYSTEM, order_mark_paid
    from steadfast.shipping.tests.conftest import quote_for

    orders = [paid_order]
    for n in range(4):
        variant = make_variant(stock=3, price="19.90", name=f"Rain jacket {n}")
        quote_for([cdek_method], variant)
        order, _ = order_place(lines=[(variant.pk, 1)], idempotency_key=f"k-drain-{n}",
                               details=replace(details, delivery_method="cdek", payment_method="bank_transfer"))
        with transaction.atomic():
            order_mark_paid(order, SYSTEM)
        orders.append(order)
    return orders


def test_one_run_of_the_sweep_drains_a_backlog_larger_than_a_pass(five_paid_orders, fake_cdek):
    fake_cdek.set_fault("status", status=503)
    assert shipments_drain(batch=2) == 5  # the carrier is out: each tried once, then the run ends
    shipments = Shipment.objects.filter(order__in=five_paid_orders)
    assert [s.attempts for s in shipments] == [1] * 5, "a shipment was tried twice in one run"
    assert fake_cdek.ledger.shipments == []

    fake_cdek.set_fault("ok")
    assert shipments_drain(timezone.now() + LATER, batch=2) == 5  # three passes of at most two, in one run

    assert sorted(number for number, _ in fake_cdek.ledger.shipments) == sorted(o.number for o in five_paid_orders)
    states = {s.order.number: s.state for s in shipments.select_related("order")}
    assert all(state == Shipment.State.CREATED for state in states.values()), states
