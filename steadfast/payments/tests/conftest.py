import re

import httpx
import pytest

from steadfast.fakes.testing import (
    STRIPE_KEY,
    WEBHOOK_SECRET,
    fake_stripe,  # noqa: F401  (fixture)
)


@pytest.fixture
def stripe_provider(db, fake_stripe, monkeypatch):  # noqa: F811
    """The "stripe" provider pointed at the fake, with short timeouts so hangs end quickly."""
    from steadfast.providers.models import Provider
    from steadfast.providers.store import LocalStore, store

    # Breaker keys are per provider code and this one is always "stripe"; the cache is emptied between tests but
    # the process-local mirror is not (a stale "opening" token there would keep the breaker from opening).
    monkeypatch.setattr(store, "local", LocalStore())
    monkeypatch.setenv("STEADFAST_STRIPE_SECRET_KEY", STRIPE_KEY)
    monkeypatch.setenv("STEADFAST_STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
    return Provider.objects.create(
        kind="payment", code="stripe", adapter="stripe", name="Card (Stripe)", priority=100,
        config={"api_base": fake_stripe.url, "connect_timeout": 1, "read_timeout": 0.5},
    )


@pytest.fixture
def card_order(make_variant, details, stripe_provider):
    """An order placed for card payment: pending payment, stock reserved, no payment attempt yet."""
    from dataclasses import replace

    from steadfast.checkout.services import order_place

    variant = make_variant(stock=5, price="20.00")
    counter = {"n": 0}

    def make():
        counter["n"] += 1
        order, _ = order_place(lines=[(variant.pk, 1)], details=replace(details, payment_method="stripe"),
                               idempotency_key=f"card-order-{counter['n']}")
        return order

    return make


def pay_on_fake(fake, url, action="pay", follow=False):
    """The customer on the fake's hosted page: press a button; returns the fake's answer (a redirect)."""
    with httpx.Client(trust_env=False, timeout=10, follow_redirects=follow) as client:
        assert client.get(url).status_code == 200
        return client.post(url, data={"action": action})


def csrf_token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
