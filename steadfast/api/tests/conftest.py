import uuid

import pytest


@pytest.fixture(autouse=True)
def _roomy_order_rate_limit(settings):
    # The limiter's counters live in the shared cache (Redis in CI) and outlive a test; a rate of our own keeps other
    # tests' orders from counting against these. The rate-limit test sets its own tight rate.
    settings.RATELIMIT_PLACE_ORDER = "1000/m"


@pytest.fixture
def api(client):
    """The Django test client with JSON helpers; it keeps the session cookie like a real API client."""

    class Api:
        def get(self, path, **params):
            return client.get(f"/api/v1{path}", params)

        def post(self, path, body, **headers):
            return client.post(f"/api/v1{path}", body, content_type="application/json", headers=headers)

        def patch(self, path, body):
            return client.patch(f"/api/v1{path}", body, content_type="application/json")

        def delete(self, path):
            return client.delete(f"/api/v1{path}")

        def place(self, body, key=None):
            headers = {} if key is False else {"Idempotency-Key": key or str(uuid.uuid4())}
            return self.post("/checkout/orders", body, **headers)

    return Api()


@pytest.fixture
def order_body():
    return {
        "contact": {"email": "ann@example.com", "phone": "+48 600 100 200", "full_name": "Ann Nowak"},
        "address": {"line1": "ul. Długa 5", "postcode": "00-950", "city": "Warszawa", "country": "pl"},
        "delivery_method": "courier",
        "payment_method": "cash_on_delivery",
    }
