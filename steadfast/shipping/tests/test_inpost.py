"""The InPost ShipX adapter against the InPost fake over real HTTP, and one order's shipment after a lost answer."""

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from functools import partial

import pytest
from django.db import transaction
from django.utils import timezone

from steadfast.checkout.services import order_place
from steadfast.money import Money
from steadfast.orders.services import SYSTEM, order_mark_paid
from steadfast.providers.call import call
from steadfast.providers.errors import Indeterminate, Misconfigured, Rejected, Unavailable
from steadfast.providers.registry import adapter_for
from steadfast.shipping.interface import Location, Parcel, ShipmentRequest, ShipmentState
from steadfast.shipping.models import DeliveryMethod, Shipment
from steadfast.shipping.tasks import shipments_sweep
from steadfast.shipping.tests.conftest import quote_for

WARSAW = Location(country="PL", postcode="00-950", city="Warszawa", address="ul. Długa 5")


def request(number="SF-000001", point="WAW01M"):
    return ShipmentRequest(number=number, service="inpost_locker_standard", parcel=Parcel(1000), origin=Location(),
                           destination=WARSAW, recipient_name="Anna Nowak", recipient_phone="600100200",
                           recipient_email="anna@example.com", pickup_point=point,
                           items=(("Rain jacket", "TST-1", 1, Money(Decimal("19.90"), "PLN")),))


def test_rates_and_locker_search(inpost):
    adapter = adapter_for(inpost)
    options = call(inpost, "quote", partial(adapter.quote, Parcel(1000), Location(), WARSAW))
    points = call(inpost, "points", partial(adapter.points, "Warszawa", ""))

    assert {(o.service, o.price, o.to_pickup_point) for o in options} == {
        ("inpost_locker_standard", Money(Decimal("13.99"), "PLN"), True),
        ("inpost_courier_standard", Money(Decimal("17.99"), "PLN"), False)}
    assert [(p.code, p.city, p.postcode) for p in points] == [("WAW01M", "Warszawa", "00-017")]
    assert points[0].address == "Marszałkowska 104, 00-017 Warszawa"


def test_shipment_created_found_by_reference_and_tracked(inpost, fake_inpost):
    adapter = adapter_for(inpost)
    created = call(inpost, "create_shipment", partial(adapter.create_shipment, request()))
    found = call(inpost, "find_shipment", partial(adapter.find_shipment, "SF-000001"))
    events = call(inpost, "status", partial(adapter.track, found.tracking_number))

    assert created.state == ShipmentState.PENDING
    assert found.reference == created.reference and found.state == ShipmentState.CREATED
    assert events[0].code == "confirmed"
    assert call(inpost, "find_shipment", partial(adapter.find_shipment, "SF-999999")) is None
    assert fake_inpost.ledger.for_number("SF-000001") == [("SF-000001", created.reference)]


def test_refusals_and_faults(inpost, fake_inpost, monkeypatch):
    adapter = adapter_for(inpost)
    with pytest.raises(Rejected, match="Unknown target point"):
        call(inpost, "create_shipment", partial(adapter.create_shipment, request(point="NOPE01")))
    fake_inpost.set_fault("status", status=503, times=1)
    with pytest.raises(Unavailable):
        call(inpost, "points", partial(adapter.points, "Warszawa", ""))
    fake_inpost.set_fault("reset", times=1)
    with pytest.raises(Indeterminate):
        call(inpost, "points", partial(adapter.points, "Warszawa", ""))
    monkeypatch.setenv("STEADFAST_INPOST_API_TOKEN", "not-the-token")
    with pytest.raises(Misconfigured):
        call(inpost, "probe", adapter.probe)
    assert fake_inpost.ledger.shipments == []


def test_a_paid_order_gets_exactly_one_inpost_shipment_after_a_lost_answer(
        inpost, fake_inpost, shop_defaults, make_variant, details, settings):
    settings.SHOP_CURRENCY = "PLN"
    method = DeliveryMethod.objects.create(code="inpost", name="InPost courier", kind="carrier", provider=inpost,
                                           service="inpost_courier_standard")
    variant = make_variant(stock=3, price="49.00")
    assert quote_for([method], variant)["inpost"].price == Money(Decimal("17.99"), "PLN")
    order, _ = order_place(lines=[(variant.pk, 1)], idempotency_key="k-inpost",
                           details=replace(details, delivery_method="inpost", payment_method="bank_transfer"))
    with transaction.atomic():
        order_mark_paid(order, SYSTEM)
    fake_inpost.set_fault("reset_after", times=1)

    shipments_sweep()
    assert Shipment.objects.get(order=order).state == Shipment.State.WAITING
    shipments_sweep(timezone.now() + timedelta(hours=2))

    shipment = Shipment.objects.get(order=order)
    assert shipment.state == Shipment.State.CREATED and shipment.tracking_number
    assert fake_inpost.ledger.for_number(order.number) == [(order.number, shipment.reference)]


def test_a_locker_parcel_label_webhooks_and_messages(inpost, fake_inpost, shop_defaults, make_variant, details,
                                                      settings, live_server, monkeypatch, tmp_path):
    from steadfast.notify.models import OutboxMessage
    from steadfast.orders.models import OrderStatus
    from steadfast.shipping.labels import shipment_label_fetch
    from steadfast.testing import wait_until

    settings.SHOP_CURRENCY, settings.SHIPPING_LABEL_DIR = "PLN", tmp_path
    monkeypatch.setenv("STEADFAST_INPOST_WEBHOOK_SECRET", "inpost-hook-secret")
    fake_inpost.webhook_url = f"{live_server.url}/shipping/webhooks/inpost/inpost-hook-secret/"
    fake_inpost.webhook_secret = "inpost-hook-secret"  # ShipX signs each delivery
    method = DeliveryMethod.objects.create(code="paczkomat", name="InPost locker", kind="carrier", provider=inpost,
                                           service="inpost_locker_standard")
    variant = make_variant(stock=3, price="49.00")
    assert quote_for([method], variant)["paczkomat"].to_point
    order, _ = order_place(lines=[(variant.pk, 1)], idempotency_key="k-locker", details=replace(
        details, delivery_method="paczkomat", payment_method="bank_transfer", address_line1="",
        pickup_point="WAW01M", pickup_point_name="WAW01M, Marszałkowska 104"))
    with transaction.atomic():
        order_mark_paid(order, SYSTEM)
    shipments_sweep()
    shipments_sweep(timezone.now() + timedelta(minutes=5))  # ShipX confirms (tracking number) a moment later
    shipment = Shipment.objects.get(order=order)
    assert shipment.state == Shipment.State.CREATED
    assert fake_inpost.shipments[shipment.reference]["custom_attributes"]["target_point"] == "WAW01M"

    assert shipment_label_fetch(shipment.pk).label.open("rb").read().startswith(b"%PDF-")
    fake_inpost.status_set(shipment.reference, "ready_to_pickup")
    wait_until(lambda: OutboxMessage.objects.filter(key=f"tracking:{shipment.pk}:ready_for_pickup").exists(),
               describe="the ready-for-pickup message")
    fake_inpost.status_set(shipment.reference, "delivered")
    wait_until(lambda: type(order).objects.get(pk=order.pk).status == OrderStatus.DELIVERED,
               describe="the order delivered")
    shipped = OutboxMessage.objects.get(key=f"order_shipped:{order.pk}")
    assert shipped.payload["tracking_url"] == f"https://inpost.pl/sledzenie-przesylek?number={shipment.tracking_number}"
