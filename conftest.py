import pytest


def pytest_configure(config):
    # WhiteNoise looks for STATIC_ROOT at start-up; tests serve static files from the apps, so an empty one will do.
    from django.conf import settings

    settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Tests serve static files from the app folders; the hashed manifest exists only after collectstatic.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


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
        email="ann@example.com", phone="+48 600 100 200", full_name="Ann Nowak", delivery_method="courier",
        payment_method="cash_on_delivery", address_line1="ul. Długa 5", postcode="00-950", city="Warszawa", country="PL",
    )


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium():
    """Headless Debian Chromium driven by Playwright. Missing Chromium is a failure, never a skip."""
    import os

    from playwright.sync_api import sync_playwright

    assert os.path.exists(CHROMIUM), f"{CHROMIUM} is missing: install it with `apt-get install -y chromium` (.ci/run does)"
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server):
    context = chromium.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()
