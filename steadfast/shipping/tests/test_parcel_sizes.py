"""The cart's parcel size (shipping.parcels: longest length, widest width, heights stacked) reaches the carrier:
checked in the CDEK and InPost fakes' own ledgers after a paid order's shipment is registered."""

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from steadfast.checkout.services import order_place
from steadfast.orders.services import SYSTEM, order_mark_paid
from steadfast.shipping.interface import Parcel
from steadfast.shipping.models import DeliveryMethod, Shipment
from steadfast.shipping.parcels import parcel_for
from steadfast.shipping.quotes import carrier_quotes
from steadfast.shipping.tasks import shipments_sweep
from steadfast.shipping.tests.conftest import warsaw


def _sized(make_variant, price, sides, grams, **kwargs):
    variant = make_variant(stock=10, price=price, **kwargs)
    product = variant.product
    product.weight_grams, (product.length_cm, product.width_cm, product.height_cm) = grams, sides
    product.save()
    return variant


@pytest.fixture
def cart(db, make_variant):
    """Two shirts (30 x 22 x 3 cm, entered short side first on purpose) and a boot box (40 x 30 x 10 cm)."""
    shirt = _sized(make_variant, "20.00", (3, 22, 30), 250, name="Shirt")
    boots = _sized(make_variant, "80.00", (40, 30, 10), 1600, name="Boots")
    return [(shirt, 2), (boots, 1)]


def test_the_parcel_rule(cart, make_variant, settings):
    settings.SHIPPING_DEFAULT_BOX_CM, settings.SHIPPING_DEFAULT_PARCEL_GRAMS = (30, 20, 10), 1000
    assert parcel_for(cart) == Parcel(weight_grams=2100, length_cm=40, width_cm=30, height_cm=16)
    unknown = make_variant()  # no size entered anywhere: the default box
    assert parcel_for([*cart, (unknown, 1)]) == Parcel(3100, 40, 30, 26)
    assert parcel_for([(None, 1)]) == Parcel(1000, 30, 20, 10)  # a deleted variant of an old order
    posters = _sized(make_variant, "9.00", (62, 8, 8), 300, name="Poster")
    assert parcel_for([(posters, 10)]) == Parcel(3000, 80, 62, 8), "a tall stack: its longest side comes first"


def _quote_cart(method, cart):
    """What the delivery step does for a shopper in Warsaw with this cart (checkout reads the price back)."""
    first, *rest = [variant.unit_price * quantity for variant, quantity in cart]
    subtotal = sum(rest, first)
    assert carrier_quotes([method], subtotal, warsaw(), parcel_for(cart))[method.code].available


def _paid(cart, method_code, details, key, **changes):
    order, _ = order_place(lines=[(v.pk, q) for v, q in cart], idempotency_key=key, details=replace(
        details, delivery_method=method_code, payment_method="bank_transfer", **changes))
    with transaction.atomic():
        order_mark_paid(order, SYSTEM)
    return order


def test_cdek_receives_the_size_of_the_carts_parcel(cart, cdek_method, fake_cdek, shop_defaults, details):
    _quote_cart(cdek_method, cart)
    order = _paid(cart, "cdek", details, "k-sizes-cdek")
    shipments_sweep()

    shipment = Shipment.objects.get(order=order)
    assert (shipment.length_cm, shipment.width_cm, shipment.height_cm) == (40, 30, 16)
    assert fake_cdek.ledger.for_number(order.number) == [(order.number, shipment.reference)]
    assert fake_cdek.ledger.dimensions[order.number] == {"length": 40, "width": 30, "height": 16}


def test_inpost_receives_the_size_in_millimetres(cart, inpost, fake_inpost, shop_defaults, details, settings):
    settings.SHOP_CURRENCY = "PLN"
    method = DeliveryMethod.objects.create(code="inpost", name="InPost courier", kind="carrier", provider=inpost,
                                           service="inpost_courier_standard")
    _quote_cart(method, cart)
    order = _paid(cart, "inpost", details, "k-sizes-inpost")
    shipments_sweep()
    shipments_sweep(timezone.now() + timedelta(minutes=5))

    shipment = Shipment.objects.get(order=order)
    assert shipment.state == Shipment.State.CREATED, shipment.last_error
    assert fake_inpost.ledger.dimensions[order.number] == {"length": 400, "width": 300, "height": 160, "unit": "mm"}
    assert fake_inpost.ledger.for_number(order.number) == [(order.number, shipment.reference)]
    assert Decimal(shipment.weight_grams) == Decimal(2100)
