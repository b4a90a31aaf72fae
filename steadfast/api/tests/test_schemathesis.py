"""Property-based fuzzing of the JSON API against its own OpenAPI schema (schemathesis, bounded examples).

Every documented operation is called with generated valid and invalid input; each answer must be one the schema
lists, with the documented body, and never a 500.
"""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from steadfast.api.api import api

EXAMPLES = 20  # per operation; bounded so the suite stays quick on a small machine


# The schema the API serves at /api/v1/openapi.json, loaded without a request (no database at collection time).
schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1/"))
schema.app = get_wsgi_application()


@pytest.fixture
def catalog(db, make_variant, settings):
    settings.RATELIMIT_PLACE_ORDER = "100000/m"
    # The WSGI app closes the database connection after each request, as in production; the test's transaction
    # lives on that connection (PostgreSQL), so keep it open like Django's own test client does.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield make_variant(stock=5)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_the_api_answers_as_its_schema_says(case, catalog):
    # Every check but "schema-valid input is accepted": a well-formed request for a variant or category that does
    # not exist is rightly refused (404/422), a rule about data that no schema can express.
    case.call_and_validate(excluded_checks=[positive_data_acceptance])
