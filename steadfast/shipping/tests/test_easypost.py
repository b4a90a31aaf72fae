"""The EasyPost adapter (REST over httpx through providers.call) against the EasyPost fake: rates, buy, tracker,
label, faults; one order's parcel bought exactly once after a lost answer (checked on the fake's ledger)."""

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
from steadfast.shipping.labels import shipment_label_fetch
from steadfast.shipping.models import DeliveryMethod, Shipment
from steadfast.shipping.parcels import parcel_for
from steadfast.shipping.quotes import carrier_quotes
from steadfast.shipping.tasks import shipments_sweep, shipments_track

API_KEY = "EZTK-test-key"
BOSTON = Location(country="US", postcode="02108", city="Boston", address="1 Beacon St")


@pytest.fixture
def fake_easypost():
    from steadfast.fakes.easypost import FakeEasyPost

    fake = FakeEasyPost(api_key=API_KEY).start()
    yield fake
    fake.stop()


@pytest.fixture
def easypost(transactional_db, fake_easypost, monkeypatch):
    from steadfast.providers.models import Provider
    from steadfast.providers.store import LocalStore, store

    monkeypatch.setattr(store, "local", LocalStore())
    monkeypatch.setenv("STEADFAST_EASYPOST_API_KEY", API_KEY)
    return Provider.objects.create(kind="shipping", code="easypost", adapter="easypost", name="EasyPost",
                                   config={"api_base": fake_easypost.url, "connect_timeout": 1, "read_timeout": 5,
                                           "origin": {"country": "US", "postcode": "94105",
                                                      "city": "San Francisco", "address": "118 2nd Street"}})


def request(number="SF-000001", service="USPS:Priority"):
    return ShipmentRequest(number=number, service=service, parcel=Parcel(1000), origin=Location(country="US",
                           postcode="94105", city="San Francisco"), destination=BOSTON, recipient_name="Ann Smith")


def test_rates_in_ounces_and_dollars(easypost, fake_easypost):
    adapter = adapter_for(easypost)

    options = call(easypost, "quote", partial(adapter.quote, Parcel(1000), Location(country="US"), BOSTON))

    # 1000 g = 35.3 oz = 3 started pounds: USPS 7.00 + 3 × 0.50, UPS 9.00 + 3 × 0.40
    assert {(o.service, o.price, o.days_max) for o in options} == {
        ("USPS:Priority", Money(Decimal("8.50"), "USD"), 2), ("UPS:Ground", Money(Decimal("10.20"), "USD"), 4)}
    sent = [r for r in fake_easypost.log if r.path == "/v2/shipments"][0].json()["shipment"]
    assert sent["parcel"]["weight"] == 35.3 and sent["to_address"] == {"street1": "1 Beacon St", "city": "Boston",
                                                                         "zip": "02108", "country": "US"}


def test_buy_find_track_and_label(easypost, fake_easypost):
    adapter = adapter_for(easypost)
    bought = call(easypost, "create_shipment", partial(adapter.create_shipment, request()))
    found = call(easypost, "find_shipment", partial(adapter.find_shipment, "SF-000001"))
    fake_easypost.tracker_update(bought.reference, "available_for_pickup")
    status = call(easypost, "status", partial(adapter.shipment_status, bought.reference))
    events = call(easypost, "status", partial(adapter.track, bought.reference))
    pdf = call(easypost, "label", partial(adapter.label, bought.reference))

    assert bought.state == ShipmentState.CREATED and bought.tracking_number.startswith("9400")
    assert bought.tracking_url.startswith("https://track.easypost.com/")
    assert found.reference == bought.reference
    assert (status.milestone, status.status_name) == ("ready_for_pickup", "available for pickup")
    assert [e.code for e in events] == ["available_for_pickup"] and pdf.startswith(b"%PDF-")
    assert call(easypost, "find_shipment", partial(adapter.find_shipment, "SF-999999")) is None
    assert fake_easypost.ledger.for_number("SF-000001") == [("SF-000001", bought.reference)]


def test_refusals_and_faults(easypost, fake_easypost, monkeypatch, settings):
    settings.BREAKER_CONSECUTIVE = 100  # each fault classified, not the breaker's answer
    adapter = adapter_for(easypost)
    with pytest.raises(Rejected, match="no FedEx:Overnight rate"):
        call(easypost, "create_shipment", partial(adapter.create_shipment, request(service="FedEx:Overnight")))
    for mode, options, error in [("status", {"status": 503}, Unavailable), ("status", {"status": 429}, Unavailable),
                                 ("malformed", {}, Unavailable), ("reset", {}, Indeterminate)]:
        fake_easypost.set_fault(mode, times=1, **options)
        with pytest.raises(error):
            call(easypost, "quote", partial(adapter.quote, Parcel(500), Location(country="US"), BOSTON))
    monkeypatch.setenv("STEADFAST_EASYPOST_API_KEY", "EZTK-wrong")
    with pytest.raises(Misconfigured):
        call(easypost, "probe", adapter.probe)
    assert fake_easypost.ledger.shipments == []


@pytest.mark.parametrize("lost", ["reset_after", "hang_after"])
def test_an_order_is_bought_exactly_once_after_a_lost_answer(easypost, fake_easypost, shop_defaults, make_variant,
                                                             details, settings, tmp_path, lost):
    settings.SHOP_CURRENCY, settings.SHOP_COUNTRY, settings.SHIPPING_LABEL_DIR = "USD", "US", tmp_path
    method = DeliveryMethod.objects.create(code="usps", name="USPS Priority", kind="carrier", provider=easypost,
                                           service="USPS:Priority", countries=["US"])
    variant = make_variant(stock=3, price="49.00")
    quote = carrier_quotes([method], variant.unit_price, BOSTON, parcel_for([(variant, 1)]))["usps"]
    assert quote.price == Money(Decimal("8.50"), "USD")
    where = replace(details, delivery_method="usps", payment_method="bank_transfer", country="US", postcode="02108",
                    city="Boston", address_line1="1 Beacon St")
    order, _ = order_place(lines=[(variant.pk, 1)], idempotency_key="k-easypost", details=where)
    assert order.delivery_total == Decimal("8.50")
    with transaction.atomic():
        order_mark_paid(order, SYSTEM)
    if lost == "hang_after":
        easypost.config["read_timeout"] = 0.5
        easypost.save()
    fake_easypost.set_fault(lost, times=1)

    shipments_sweep()  # bought at EasyPost, the answer lost
    assert Shipment.objects.get(order=order).state == Shipment.State.WAITING
    shipments_sweep(timezone.now() + timedelta(hours=2))  # found by reference, not bought again

    shipment = Shipment.objects.get(order=order)
    assert shipment.state == Shipment.State.CREATED and shipment.tracking_url.startswith("https://track.easypost")
    assert fake_easypost.ledger.for_number(order.number) == [(order.number, shipment.reference)]
    assert shipment_label_fetch(shipment.pk).label.name.endswith(".pdf")
    fake_easypost.tracker_update(shipment.reference, "delivered")
    shipments_track(timezone.now() + timedelta(hours=5))
    order.refresh_from_db()
    assert order.status == "delivered"
