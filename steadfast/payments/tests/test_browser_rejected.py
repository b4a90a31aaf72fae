"""In a real browser: YooKassa refuses this order's request as wrong (HTTP 400). The customer is told plainly, keeps
the order and pays it with PayPal; YooKassa stays healthy for everyone else."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from steadfast.fakes.yookassa import FakeYooKassa
from steadfast.orders.models import Order, OrderStatus
from steadfast.payments.models import Payment
from steadfast.payments.tests.test_browser_failover import (  # noqa: F401  (fixtures)
    fake_paypal,
    fake_stripe,
    gateways,
)
from steadfast.providers.models import Provider
from steadfast.providers.selectors import provider_state
from steadfast.storefront.tests.browser import guest_checkout

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(settings.BASE_DIR) / "var" / "shots"


@pytest.fixture
def yookassa(gateways, monkeypatch):  # noqa: F811
    fake = FakeYooKassa(shop_id="100500", secret_key="test_secret_1").start()
    monkeypatch.setenv("STEADFAST_YOOKASSA_SHOP_ID", "100500")
    monkeypatch.setenv("STEADFAST_YOOKASSA_SECRET_KEY", "test_secret_1")
    provider = Provider.objects.create(kind="payment", code="yookassa", adapter="yookassa", name="YooKassa",
                                       priority=90, config={"api_base": fake.url, "read_timeout": 5})
    yield fake, provider
    fake.stop()


def test_a_request_the_gateway_refuses_as_wrong_keeps_the_order_and_offers_the_others(page, yookassa, fake_paypal):  # noqa: F811
    fake, provider = yookassa
    fake.set_fault("status", status=400, times=1)
    page.goto("/c/clothing/")
    page.get_by_role("link", name="Harbour Tee").first.click()
    page.get_by_role("button", name=re.compile("Add to cart")).click()
    page.goto("/cart/")
    guest_checkout(page, "YooKassa")
    page.get_by_role("button", name=re.compile("Place order")).click()

    page.wait_for_url(re.compile(r"/orders/[\w-]+/$"))
    order = Order.objects.get()
    assert order.status == OrderStatus.PENDING_PAYMENT and order.stock_reserved
    assert page.get_by_text("This payment method could not take this order").first.is_visible()
    assert page.locator('input[name="method"][value="yookassa"]').is_disabled()
    assert page.locator('input[name="method"][value="paypal"]').is_enabled()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "rejected-request.png"), full_page=True)
    assert provider_state(provider) == "closed"  # not an outage: other orders keep YooKassa

    page.get_by_role("radio", name=re.compile("PayPal")).check(force=True)
    page.get_by_role("button", name="Pay", exact=True).click()
    page.wait_for_url(re.compile(re.escape(fake_paypal.url) + r"/approve/"))
    page.get_by_role("button", name="Pay", exact=True).click()
    page.wait_for_url(re.compile(re.escape(order.get_absolute_url())))
    assert page.get_by_text("Thank you! Your payment was received.").first.is_visible()
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert list(order.payments.values_list("provider__code", "state", "failure").order_by("pk")) == [
        ("yookassa", Payment.State.FAILED, Payment.Failure.REJECTED), ("paypal", Payment.State.SUCCEEDED, "")]
    assert fake.ledger.charges == [] and len(fake_paypal.ledger.successful()) == 1
