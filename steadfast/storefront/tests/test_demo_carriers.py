"""The demo's carriers: `manage.py demo` registers EasyPost on its fake (like CDEK and InPost), with a USPS method
for US addresses, and a demo shopper in Boston is offered its live rate."""

from decimal import Decimal

import pytest

from steadfast.fakes.management.commands.fakes import DEMO_SECRETS, FAKES
from steadfast.money import Money
from steadfast.providers.models import Provider
from steadfast.shipping.defaults import demo_delivery_ensure
from steadfast.shipping.interface import Location
from steadfast.shipping.models import DeliveryMethod
from steadfast.shipping.parcels import parcel_for
from steadfast.shipping.quotes import carrier_quotes
from steadfast.storefront.management.commands.demo import demo_gateways_ensure

BOSTON = Location(country="US", postcode="02108", city="Boston")


@pytest.fixture
def demo_easypost_fake(monkeypatch, settings):
    """The EasyPost fake as `manage.py demo` starts it (fakes run), with the demo's secrets in the environment."""
    from steadfast.providers.store import LocalStore, store

    monkeypatch.setattr(store, "local", LocalStore())
    for name, value in DEMO_SECRETS["easypost"].items():
        monkeypatch.setenv(f"STEADFAST_EASYPOST_{name}", value)
    _port, factory, _row = FAKES["easypost"]
    fake = factory(0, "http://127.0.0.1:8000").start()
    yield fake
    fake.stop()


def test_the_demo_registers_easypost_on_its_fake_and_a_us_shopper_sees_its_rate(
        transactional_db, demo_easypost_fake, make_variant, settings):
    port = int(demo_easypost_fake.url.rsplit(":", 1)[1])
    bases = demo_gateways_ensure({"easypost": port})
    demo_delivery_ensure(DeliveryMethod)
    demo_delivery_ensure(DeliveryMethod)  # a restart adds nothing

    provider = Provider.objects.get(code="easypost")
    assert (provider.kind, provider.adapter, provider.enabled) == ("shipping", "easypost", True)
    assert bases["easypost"] == demo_easypost_fake.url
    assert provider.config["origin"]["country"] == "US" and "API_KEY" not in str(provider.config)
    method = DeliveryMethod.objects.get(code="easypost-usps")
    assert (method.provider_id, method.service, method.country_codes) == (provider.pk, "USPS:Priority", ["US"])

    variant = make_variant(price="30.00")
    quote = carrier_quotes([method], variant.unit_price, BOSTON, parcel_for([(variant, 1)]))["easypost-usps"]

    assert quote.available and quote.live, quote
    assert quote.price == Money(Decimal("8.50"), settings.SHOP_CURRENCY)  # USPS Priority: 7.00 + 3 started lb
    assert demo_easypost_fake.ledger.shipments == []  # a quote buys nothing
