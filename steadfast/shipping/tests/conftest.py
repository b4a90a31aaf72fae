from decimal import Decimal

import pytest

CDEK_ID, CDEK_SECRET = "cdek-test-account", "cdek-test-secret"
INPOST_TOKEN = "inpost-test-token"


def warsaw():
    from steadfast.shipping.interface import Location

    return Location(country="PL", postcode="00-950", city="Warszawa")


def quote_for(methods, variant, quantity=1):
    """What the delivery step does for a shopper in Warsaw with `quantity` of `variant` in the cart."""
    from steadfast.shipping.parcels import parcel_for
    from steadfast.shipping.quotes import carrier_quotes

    return carrier_quotes(methods, variant.unit_price * quantity, warsaw(), parcel_for([(variant, quantity)]))


@pytest.fixture
def fake_cdek():
    from steadfast.fakes.cdek import FakeCdek

    fake = FakeCdek(client_id=CDEK_ID, client_secret=CDEK_SECRET).start()
    yield fake
    fake.stop()


@pytest.fixture
def cdek_provider(transactional_db, fake_cdek, monkeypatch):
    """The "cdek" carrier pointed at the fake. Transactional: quotes are asked from pool threads with their own
    database connections, which must see this row and write their Attempt rows."""
    from steadfast.providers.models import Provider
    from steadfast.providers.store import LocalStore, store

    monkeypatch.setattr(store, "local", LocalStore())
    monkeypatch.setenv("STEADFAST_CDEK_CLIENT_ID", CDEK_ID)
    monkeypatch.setenv("STEADFAST_CDEK_CLIENT_SECRET", CDEK_SECRET)
    return Provider.objects.create(
        kind="shipping", code="cdek", adapter="cdek", name="CDEK",
        config={"api_base": fake_cdek.url, "connect_timeout": 1, "read_timeout": 30,
                "origin": {"carrier_code": "44"}},
    )


@pytest.fixture
def cdek_method(cdek_provider):
    from steadfast.shipping.models import DeliveryMethod

    return DeliveryMethod.objects.create(code="cdek", name="CDEK courier", kind="carrier", provider=cdek_provider,
                                         service="137", position=5)


@pytest.fixture
def emergency_method(transactional_db):
    from steadfast.shipping.models import DeliveryMethod

    return DeliveryMethod.objects.create(code="standard", name="Standard parcel", kind="emergency",
                                         price=Decimal("15.00"), position=30)


@pytest.fixture
def fake_inpost():
    from steadfast.fakes.inpost import FakeInPost

    fake = FakeInPost(api_token=INPOST_TOKEN, organization_id=4321).start()
    yield fake
    fake.stop()


@pytest.fixture
def inpost(transactional_db, fake_inpost, monkeypatch):
    from steadfast.providers.models import Provider
    from steadfast.providers.store import LocalStore, store

    monkeypatch.setattr(store, "local", LocalStore())
    monkeypatch.setenv("STEADFAST_INPOST_API_TOKEN", INPOST_TOKEN)
    return Provider.objects.create(
        kind="shipping", code="inpost", adapter="inpost", name="InPost",
        config={"api_base": fake_inpost.url, "organization_id": 4321, "connect_timeout": 1, "read_timeout": 5},
    )


@pytest.fixture
def paid_order(shop_defaults, cdek_method, make_variant, details):
    """A card-like order paid by staff (bank transfer), going by CDEK at the live price shown."""
    from dataclasses import replace

    from django.db import transaction

    from steadfast.checkout.services import order_place
    from steadfast.orders.services import SYSTEM, order_mark_paid
    from steadfast.shipping.models import Shipment

    variant = make_variant(stock=3, price="19.90", name="Rain jacket")
    quote_for([cdek_method], variant)  # the delivery step showed (and remembered) the price
    order, _ = order_place(lines=[(variant.pk, 1)], idempotency_key="k-1",
                           details=replace(details, delivery_method="cdek", payment_method="bank_transfer"))
    assert not Shipment.objects.filter(order=order).exists(), "no shipment before the money arrived"
    with transaction.atomic():
        order_mark_paid(order, SYSTEM)
    return order
