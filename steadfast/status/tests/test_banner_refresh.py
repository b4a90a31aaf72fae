"""The automatic banner text is written off the shopper's path (issue 16): by the events that change it and by the
minute tick, never rebuilt by a shopper's page view when a short cache entry expires (~30 queries each time)."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from steadfast.providers.models import Provider
from steadfast.shipping.models import DeliveryMethod
from steadfast.status.tasks import status_tick_task

pytestmark = pytest.mark.django_db

NOTICE = "Courier X is temporarily unavailable"


@pytest.fixture
def carrier(break_provider):
    provider = Provider.objects.create(kind=Provider.Kind.SHIPPING, code=f"carrier-{uuid.uuid4().hex[:8]}",
                                       adapter="test_card", name="Carrier", config={"cooldown": 0})
    break_provider(provider)  # out, but no delivery method uses it yet: nothing for the banner to say
    return provider


def test_a_page_view_never_rebuilds_the_text_and_the_minute_tick_does(client, carrier):
    assert NOTICE not in client.get("/").content.decode()
    # A change that sends no signal (bulk_create): only the background refresh can notice it.
    DeliveryMethod.objects.bulk_create([DeliveryMethod(code="courier-x", name="Courier X", kind="carrier",
                                                       provider=carrier, enabled=True)])
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            body = client.get("/").content.decode()
        assert NOTICE not in body  # the shopper's request served the stored text; it did not rebuild it
        assert not any("shipping_deliverymethod" in q["sql"] for q in queries.captured_queries)

    status_tick_task.call_local()  # what the Huey worker runs every minute

    assert NOTICE in client.get("/").content.decode()
    assert NOTICE.split(" is ")[0] in client.get("/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()


def test_saving_a_delivery_method_rewrites_the_text_at_once(client, carrier):
    assert NOTICE not in client.get("/").content.decode()
    DeliveryMethod.objects.create(code="courier-x", name="Courier X", kind="carrier", provider=carrier, enabled=True)
    assert NOTICE in client.get("/").content.decode()
    DeliveryMethod.objects.filter(code="courier-x").get().delete()
    assert NOTICE not in client.get("/").content.decode()
