"""Sync rows are written in the transaction of the order change, one per target, numbered without gaps."""

import pytest
from django.db import transaction
from django.utils import timezone

from steadfast.accounting.models import SyncRow
from steadfast.orders.services import SYSTEM, order_cancel, order_edit, order_fulfil, order_mark_paid, order_refund
from steadfast.providers.models import Provider


def rows(order=None):
    found = SyncRow.objects.order_by("target", "seq")
    if order is not None:
        found = found.filter(order_number=order.number)
    return [(r.target.provider.code, r.seq, r.kind, r.payload["status"]) for r in found]


def test_placing_an_order_writes_one_numbered_row_per_accounting_target(moysklad, webhook, place):
    order = place(quantity=2)

    assert rows(order) == [("moysklad", 1, "placed", "pending_payment"), ("moysklad", 2, "updated",
                                                                           "awaiting_offline_payment"),
                           ("books-hook", 1, "placed", "pending_payment"),
                           ("books-hook", 2, "updated", "awaiting_offline_payment")]
    snapshot = SyncRow.objects.filter(order_number=order.number).first().payload
    assert snapshot["number"] == order.number and snapshot["total"] == str(order.total)
    assert snapshot["lines"] == [{"sku": order.lines.get().sku, "name": "Rain jacket", "variant": "M", "quantity": 2,
                                  "unit_price": "19.90", "total": "39.80"}]


def test_every_change_accounting_needs_is_a_row_in_order(moysklad, place):
    paid_then_shipped, cancelled = place(), place()
    with transaction.atomic():
        order_mark_paid(paid_then_shipped, SYSTEM)
    order_fulfil(paid_then_shipped, SYSTEM)
    order_refund(paid_then_shipped, SYSTEM)
    order_edit(cancelled, SYSTEM, city="Kraków")
    order_cancel(cancelled, SYSTEM)

    assert [k for _, _, k, _ in rows(paid_then_shipped)] == ["placed", "updated", "paid", "shipped", "refunded"]
    assert [k for _, _, k, _ in rows(cancelled)] == ["placed", "updated", "updated", "cancelled"]
    assert SyncRow.objects.get(order_number=cancelled.number, kind="cancelled").payload["address"]["city"] == "Kraków"
    seqs = list(SyncRow.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, 10)), "one sequence per target, no gaps"


def test_a_change_rolled_back_leaves_no_row_and_no_gap(moysklad, place):
    order = place()
    before = rows()

    with pytest.raises(RuntimeError), transaction.atomic():
        order_cancel(order, SYSTEM)
        raise RuntimeError("the caller failed after the cancel")

    assert rows() == before
    order_cancel(order, SYSTEM)
    assert rows(order)[-1] == ("moysklad", 3, "cancelled", "cancelled")


def test_the_synthetic_checkout_probes_orders_never_reach_accounting(moysklad, place):
    from steadfast.accounting.export import orders_in_range
    from steadfast.synthetic.product import synthetic_variant

    real = place()
    probe = place(variant=synthetic_variant(), synthetic=True)
    order_cancel(probe, SYSTEM)

    assert probe.synthetic and rows(probe) == []
    assert [k for _, _, k, _ in rows(real)] == ["placed", "updated"]
    today = timezone.localdate(real.created_at)  # the export reads days in the shop's zone
    assert list(orders_in_range(today, today)) == [real]


def test_no_accounting_target_no_rows_and_a_disabled_one_gets_none(moysklad, place):
    Provider.objects.filter(pk=moysklad.pk).update(enabled=False)
    place()
    assert rows() == []


def test_placing_an_order_takes_the_counter_last_after_the_stock(moysklad, webhook, place):
    """Every order waits on a target's counter row from its numbering to the commit, so numbering comes after
    everything else the order writes (the stock too): only the rows' insert follows it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    place()  # the first order creates what later ones reuse
    with CaptureQueriesContext(connection) as captured:
        order = place(quantity=2)
    sql = [q["sql"] for q in captured.captured_queries]
    numbering = [i for i, text in enumerate(sql) if "next_seq = " in text]
    stock = [i for i, text in enumerate(sql) if 'SET "stock"' in text]
    commit = next((i for i, text in enumerate(sql) if text.strip() == "COMMIT"), len(sql))  # the order's own
    writes = [i for i, text in enumerate(sql[:commit]) if text.lstrip().startswith(("INSERT", "UPDATE", "DELETE"))]

    assert len(numbering) == 2, "one counter update per target for all the order's rows"
    assert stock and max(stock) < min(numbering)
    assert [i for i in writes if i > max(numbering)] == [max(numbering) + 1], "then only the sync rows' insert"
    assert rows(order) == [("moysklad", 3, "placed", "pending_payment"), ("moysklad", 4, "updated",
                                                                          "awaiting_offline_payment"),
                           ("books-hook", 3, "placed", "pending_payment"),
                           ("books-hook", 4, "updated", "awaiting_offline_payment")]
