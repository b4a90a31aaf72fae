"""The admin's list of alert pages costs the same queries for one page as for ten (each row shows who was paged
and how many messages were sent and delivered)."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from steadfast.notify.alerts import staff_alert_add
from steadfast.notify.models import OutboxMessage
from steadfast.notify.tasks import outbox_sweep
from steadfast.oncall.pages import pages_escalate

pytestmark = pytest.mark.django_db


def raise_alerts(count, start):
    for n in range(start, start + count):
        with transaction.atomic():
            staff_alert_add(key=f"test:problem:{n}", payload={"subject": f"Problem {n}", "summary": "Look at it."})


def list_queries(client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/admin/oncall/alertpage/").content.decode()
    return len(queries), html


def test_the_alert_page_list_costs_a_fixed_number_of_queries(rota, admin_client, django_assert_max_num_queries):
    raise_alerts(1, 0)
    pages_escalate(now=timezone.now() + timedelta(minutes=11))  # two messages for the page: Ann, then Bob
    outbox_sweep()
    list_queries(admin_client)  # the first request of a process fills caches (content types, session)
    one, html = list_queries(admin_client)
    assert "Ann → Bob" in html and "2 of 2 sent, 0 delivered" in html

    raise_alerts(9, 1)
    pages_escalate(now=timezone.now() + timedelta(minutes=11))
    outbox_sweep()
    OutboxMessage.objects.filter(key="test:problem:9").update(delivered_at=timezone.now())  # a receipt came
    with django_assert_max_num_queries(one):
        html = admin_client.get("/admin/oncall/alertpage/").content.decode()
    assert html.count("Ann → Bob") == 10 and html.count("2 of 2 sent, 0 delivered") == 9
    assert "2 of 2 sent, 1 delivered" in html
