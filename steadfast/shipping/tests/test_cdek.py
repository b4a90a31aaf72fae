"""The CDEK adapter against the CDEK fake over real HTTP, through providers.call(), fault by fault."""

from decimal import Decimal
from functools import partial

import pytest

from steadfast.money import Money
from steadfast.providers.call import call
from steadfast.providers.errors import Indeterminate, Misconfigured, Rejected, Unavailable
from steadfast.providers.models import Attempt
from steadfast.providers.registry import adapter_for
from steadfast.shipping.interface import Location, Parcel, ShipmentRequest, ShipmentState

MOSCOW, SPB = Location(carrier_code="44"), Location(carrier_code="137")
PARCEL = Parcel(weight_grams=1500)


def quote(provider, destination=SPB):
    return call(provider, "quote", partial(adapter_for(provider).quote, PARCEL, MOSCOW, destination))


def request(number="SF-000001", service="137"):
    return ShipmentRequest(number=number, service=service, parcel=PARCEL, origin=MOSCOW,
                           destination=Location(country="RU", postcode="191186", city="Saint Petersburg",
                                                address="Nevsky 28"),
                           recipient_name="Ivan Petrov", recipient_phone="+79990001122",
                           items=(("Rain jacket", "TST-1", 1, Money(Decimal("19.90"), "EUR")),))


def test_quote_prices_every_tariff_in_the_shop_currency_with_one_token(cdek_provider, fake_cdek):
    options = quote(cdek_provider)
    again = quote(cdek_provider)

    by_service = {o.service: o for o in options}
    assert by_service["137"].price == Money(Decimal("17.00"), "EUR")  # 14.00 + 2 started kg × 1.50
    assert by_service["136"].to_pickup_point and not by_service["137"].to_pickup_point
    assert by_service["137"].days_min == 2 and by_service["137"].days_max == 5
    assert again == options
    assert fake_cdek.tokens_issued == 1, "the token must be cached until it expires"


def test_an_expired_token_is_renewed_once_and_the_call_repeated(cdek_provider, fake_cdek):
    quote(cdek_provider)
    fake_cdek.set_fault("expired_token")

    points = call(cdek_provider, "points", partial(adapter_for(cdek_provider).points, "44", ""))

    assert [p.code for p in points] == ["MSK123", "MSK456"]
    assert points[1].kind == "POSTAMAT" and points[0].address == "Russia, Moscow, Tverskaya 7"
    assert fake_cdek.tokens_issued == 2
    assert list(Attempt.objects.values_list("outcome", flat=True)) == ["ok", "ok"]


def test_wrong_credentials_are_misconfigured(cdek_provider, monkeypatch):
    monkeypatch.setenv("STEADFAST_CDEK_CLIENT_SECRET", "wrong-secret-value")
    with pytest.raises(Misconfigured):
        quote(cdek_provider)
    attempt = Attempt.objects.get()
    assert attempt.outcome == "misconfigured" and "wrong-secret-value" not in attempt.message


@pytest.mark.parametrize("fault, options, error", [
    ("status", {"status": 503}, Unavailable),
    ("status", {"status": 429}, Unavailable),
    ("malformed", {}, Unavailable),
    ("reset", {}, Indeterminate),
])
def test_carrier_faults_are_classified(cdek_provider, fake_cdek, fault, options, error):
    fake_cdek.set_fault(fault, **options)
    with pytest.raises(error):
        quote(cdek_provider)


def test_a_route_the_carrier_cannot_serve_is_a_clear_refusal(cdek_provider):
    with pytest.raises(Rejected, match="No tariffs for this direction"):
        quote(cdek_provider, Location(country="RU", postcode="000000", city="Nowhere"))
    assert Attempt.objects.get().outcome == "invalid_request"


def test_order_is_registered_asynchronously_and_found_by_our_number(cdek_provider, fake_cdek):
    adapter = adapter_for(cdek_provider)
    created = call(cdek_provider, "create_shipment", partial(adapter.create_shipment, request()))
    assert created.state == ShipmentState.PENDING and created.tracking_number == ""

    status = call(cdek_provider, "shipment_status", partial(adapter.shipment_status, created.reference))
    found = call(cdek_provider, "find_shipment", partial(adapter.find_shipment, "SF-000001"))
    missing = call(cdek_provider, "find_shipment", partial(adapter.find_shipment, "SF-999999"))

    assert status.state == ShipmentState.CREATED and status.tracking_number.startswith("10")
    assert found.reference == created.reference and found.tracking_number == status.tracking_number
    assert missing is None
    assert fake_cdek.ledger.for_number("SF-000001") == [("SF-000001", created.reference)]
    with pytest.raises(Rejected, match="v2_entity_already_exists"):
        call(cdek_provider, "create_shipment", partial(adapter.create_shipment, request()))
    assert len(fake_cdek.ledger.shipments) == 1


def test_cancel_and_tracking_events(cdek_provider):
    adapter = adapter_for(cdek_provider)
    created = call(cdek_provider, "create_shipment", partial(adapter.create_shipment, request()))
    call(cdek_provider, "shipment_status", partial(adapter.shipment_status, created.reference))

    cancelled = call(cdek_provider, "cancel", partial(adapter.cancel, created.reference))
    events = call(cdek_provider, "status", partial(adapter.track, created.reference))

    assert cancelled.state == ShipmentState.CANCELLED
    assert [e.code for e in events] == ["CANCELED", "CREATED"]
