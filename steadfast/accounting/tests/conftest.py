from dataclasses import replace

import pytest

MS_TOKEN = "ms-test-token-123"
WEBHOOK_SECRET = "whsec-accounting-test"
LOGIN, PASSWORD = "1c-exchange", "s3cret-1c-password"
STATES = {"pending_payment": "new", "awaiting_offline_payment": "awaiting", "paid": "paid", "fulfilled": "shipped",
          "delivered": "delivered", "cancelled": "cancelled", "refunded": "refunded"}


@pytest.fixture(autouse=True)
def _fast_replay(settings):
    # The pacing itself has its own test (test_replay.py); elsewhere it must not slow the suite down.
    settings.ACCOUNTING_REPLAY_RATE = 100_000


@pytest.fixture
def fake_moysklad():
    from steadfast.accounting.targets import moysklad
    from steadfast.fakes.moysklad import FakeMoySklad

    moysklad._products.clear()  # product lookups are cached per process; each fake starts empty
    fake = FakeMoySklad(token=MS_TOKEN).start()
    yield fake
    fake.stop()


@pytest.fixture
def moysklad(transactional_db, shop_defaults, fake_moysklad, monkeypatch):
    """The MoySklad target pointed at the fake."""
    from steadfast.accounting.sync import sync_target_ensure
    from steadfast.providers.models import Provider
    from steadfast.providers.store import LocalStore, store

    monkeypatch.setattr(store, "local", LocalStore())
    monkeypatch.setenv("STEADFAST_MOYSKLAD_TOKEN", MS_TOKEN)
    provider = Provider.objects.create(
        kind="accounting", code="moysklad", adapter="moysklad", name="MoySklad",
        config={"api_base": fake_moysklad.api_base, "organization_id": "org-1", "states": STATES,
                "connect_timeout": 1, "read_timeout": 5},
    )
    sync_target_ensure(provider)
    return provider


@pytest.fixture
def fake_receiver():
    from steadfast.fakes.webhook_receiver import FakeWebhookReceiver

    fake = FakeWebhookReceiver(secret=WEBHOOK_SECRET).start()
    yield fake
    fake.stop()


@pytest.fixture
def webhook(transactional_db, shop_defaults, fake_receiver, monkeypatch):
    from steadfast.providers.models import Provider
    from steadfast.providers.store import LocalStore, store

    monkeypatch.setattr(store, "local", LocalStore())
    monkeypatch.setenv("STEADFAST_BOOKS_HOOK_SECRET", WEBHOOK_SECRET)
    return Provider.objects.create(kind="accounting", code="books-hook", adapter="signed_webhook", name="Books hook",
                                   config={"api_base": fake_receiver.url, "path": "/", "read_timeout": 5})


@pytest.fixture
def place(make_variant, details):
    """place(quantity=1, payment="bank_transfer", **details) -> a placed order (its sync rows written)."""
    from steadfast.checkout.services import order_place

    state = {"n": 0, "variant": None}

    def make(quantity=1, payment="bank_transfer", variant=None, synthetic=False, **changes):
        state["n"] += 1
        if variant is None:
            state["variant"] = state["variant"] or make_variant(stock=100_000, price="19.90", name="Rain jacket")
            variant = state["variant"]
        order, _ = order_place(lines=[(variant.pk, quantity)], idempotency_key=f"acc-{state['n']}",
                               details=replace(details, payment_method=payment, **changes), synthetic=synthetic)
        return order

    return make


@pytest.fixture
def onec(live_server, shop_defaults, settings, tmp_path):
    import httpx

    from steadfast.providers.models import Provider

    settings.ACCOUNTING_1C_LOGIN, settings.ACCOUNTING_1C_PASSWORD = LOGIN, PASSWORD
    settings.ACCOUNTING_1C_FILE_LIMIT = 256  # small, so the test upload takes several chunks
    settings.DATA_DIR = tmp_path
    Provider.objects.create(kind="accounting", code="onec", adapter="onec", name="1C")
    with httpx.Client(base_url=live_server.url, timeout=30) as client:
        yield client
