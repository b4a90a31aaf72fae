import pytest

from steadfast.testing import breaker_clock  # noqa: F401  (fixture: the breaker's clock, moved by the test)


def pytest_configure(config):
    # WhiteNoise looks for STATIC_ROOT at start-up; tests serve static files from the apps, so an empty one will do.
    from django.conf import settings

    settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)


def pytest_collection_modifyitems(config, items):
    """`only_on("postgresql")` tests belong to the PostgreSQL + Redis suite and their SQLite twins to the SQLite one:
    the other suite deselects them (counted as deselected, not as skipped), so a skip always means a problem."""
    from django.db import connection

    keep, other = [], []
    for item in items:
        marker = item.get_closest_marker("only_on")
        (other if marker and marker.args[0] != connection.vendor else keep).append(item)
    if other:
        config.hook.pytest_deselected(items=other)
        items[:] = keep


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """SQLite tests run on a file in WAL mode, as the shop does, not in memory: the in-memory test database uses
    SQLite's shared cache, where a second connection that writes (a request thread, a carrier quote finishing late,
    a worker) fails at once with "database table is locked" instead of waiting its turn as it would in the shop."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3") and not database.get("TEST", {}).get("NAME"):
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("database") / "test.sqlite3")


_DB_FIXTURES = {"db", "transactional_db", "live_server", "admin_client", "admin_user", "django_user_model", "page"}


@pytest.fixture(autouse=True)
def _clean_cache(request):
    """Shop mode, breaker state and rate-limit counters live in the cache, which a database flush never empties."""
    uses_db = request.node.get_closest_marker("django_db") or _DB_FIXTURES & set(request.fixturenames)
    if uses_db:
        _clear_cache(request)
    yield


def _clear_cache(request):
    from django.core.cache import cache

    blocker = request.getfixturevalue("django_db_blocker")
    request.getfixturevalue("django_db_setup")
    from steadfast.providers.store import store

    store.local.clear()  # the breaker's process-local mirror must not outlive the shared state it mirrors
    with blocker.unblock():
        if hasattr(cache, "delete_pattern"):
            cache.delete_pattern("*")  # Redis: only this run's KEY_PREFIX, never FLUSHDB on a shared server
        else:
            cache.clear()


@pytest.fixture(autouse=True)
def _node_ready_again():
    """The readiness gate remembers its last check for a second: a test that broke the database must not leave its
    verdict to the next test."""
    from steadfast.status import readiness

    readiness._state.update(at=float("-inf"), failing=())
    yield


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Tests serve static files from the app folders; the hashed manifest exists only after collectstatic.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _no_hoarding_limits(settings):
    # Many tests place several guest orders for one e-mail; the hoarding limits have their own tests
    # (checkout/tests/test_limits.py), which set these back.
    settings.ORDER_MAX_OPEN_UNPAID = 10_000
    settings.ORDER_MAX_QUANTITY_PER_LINE = 10_000
    settings.ORDER_MAX_VALUE_UNVERIFIED = 0
    settings.OFFLINE_CONFIRM_MINUTES = 0


@pytest.fixture
def make_variant(db):
    """make_variant(stock=3, price="19.90") -> a Variant of a new active product in a shared category."""
    from decimal import Decimal

    from steadfast.catalog.models import Category, Product, Variant

    counter = {"n": 0}

    def make(stock=5, price="19.90", name=None, options=None, category=None):
        counter["n"] += 1
        n = counter["n"]
        category = category or Category.objects.get_or_create(slug="test-cat", defaults={"name": "Test category"})[0]
        product = Product.objects.create(category=category, name=name or f"Test product {n}", slug=f"test-product-{n}")
        variant = Variant.objects.create(
            product=product, sku=f"TST-{n:04d}", price=Decimal(price), stock=stock, options=options or {"size": "M"}
        )
        product.refresh_summary()
        return variant

    return make


@pytest.fixture
def details():
    from steadfast.checkout.services import CheckoutDetails

    return CheckoutDetails(
        email="ann@example.com",
        phone="+48 600 100 200",
        full_name="Ann Nowak",
        delivery_method="courier",
        payment_method="cash_on_delivery",
        address_line1="ul. Długa 5",
        postcode="00-950",
        city="Warszawa",
        country="PL",
    )


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium():
    """Headless Debian Chromium driven by Playwright. Missing Chromium is a failure, never a skip."""
    import os

    from playwright.sync_api import sync_playwright

    assert os.path.exists(CHROMIUM), (
        f"{CHROMIUM} is missing: install it with `apt-get install -y chromium` (.ci/run does)"
    )
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def shop_defaults(transactional_db):
    """Transactional tests start from a flushed database: put back what the data migrations seed."""
    from steadfast.payments.defaults import offline_methods_ensure
    from steadfast.providers.models import Provider
    from steadfast.shipping.defaults import delivery_methods_ensure
    from steadfast.shipping.models import DeliveryMethod

    offline_methods_ensure(Provider)
    delivery_methods_ensure(DeliveryMethod)


@pytest.fixture
def page(chromium, live_server, shop_defaults):
    context = chromium.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()
