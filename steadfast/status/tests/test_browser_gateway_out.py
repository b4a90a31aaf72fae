"""One online gateway out, another working: the shopper sees the automatic banner before picking a method."""

import uuid
from pathlib import Path

import pytest

from steadfast.providers.models import Provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[3] / "test-artifacts"


def test_banner_names_the_gateway_that_is_out_and_what_still_works(page, card, break_provider, make_variant):
    Provider.objects.create(
        kind=Provider.Kind.PAYMENT, code=f"wallet-{uuid.uuid4().hex[:6]}", adapter="test_card", name="Wallet",
        priority=2,
    )
    product_url = make_variant(stock=3, name="Plain mug").product.get_absolute_url()
    break_provider(card)

    for url in ("/", product_url):
        page.goto(url)
        text = page.locator("#status-banner").inner_text()
        assert "Card payments: temporarily unavailable." in text, text
        assert "You can still pay with Wallet" in text and "Cash on delivery" in text, text
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "banner-one-gateway-out.png"))
