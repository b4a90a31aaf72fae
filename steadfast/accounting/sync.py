"""Sync rows: written in the transaction of the order change, one per accounting target, numbered in commit order.

Each accounting provider has its SyncTarget row from the moment it is saved (signals.py). The sequence number
comes from that counter row, incremented by an UPDATE that holds its lock until the order's transaction commits:
a worker never sees row N+1 committed while row N may still appear, so replaying in sequence order is replaying in
the order the changes happened. A rolled-back order leaves no row and no gap.

Placing an order holds that lock for the least time: `sync_rows_last()` around it keeps the rows its events add
and numbers and writes them at the end of the block, after the stock (every order of the shop waits on the counter
row; only orders of one product wait on its stock row).
"""

import threading
from contextlib import contextmanager

from django.db import IntegrityError, connection, transaction

from steadfast.accounting.models import SyncRow, SyncTarget
from steadfast.notify.outbox import OutboxOutsideTransaction, in_callers_transaction
from steadfast.orders.models import OrderStatus
from steadfast.providers.models import Provider

Kind = SyncRow.Kind
# Order timeline events (orders.OrderEvent) that accounting must learn about, by the status they lead to.
STATUS_KINDS = {
    OrderStatus.PAID: Kind.PAID,
    OrderStatus.CANCELLED: Kind.CANCELLED,
    OrderStatus.REFUNDED: Kind.REFUNDED,
    OrderStatus.FULFILLED: Kind.SHIPPED,
}
EVENT_KINDS = {"placed": Kind.PLACED, "payment_received": Kind.PAID, "edited": Kind.UPDATED}


def event_sync_kind(event) -> str | None:
    if event.kind == "status":
        # Other status moves (awaiting offline payment, delivered) still change what accounting holds.
        return STATUS_KINDS.get(event.to_status, Kind.UPDATED)
    return EVENT_KINDS.get(event.kind)


def order_snapshot(order) -> dict:
    """The order as accounting should see it after this change; stored, and sent byte for byte at replay."""
    return {
        "number": order.number,
        "status": order.status,
        "placed_at": order.created_at.isoformat() if order.created_at else None,
        "paid_at": order.paid_at.isoformat() if order.paid_at else None,
        "email": order.email,
        "phone": order.phone,
        "name": order.full_name,
        "address": {"line1": order.address_line1, "line2": order.address_line2, "postcode": order.postcode,
                    "city": order.city, "country": order.country},
        "delivery": {"method": order.delivery_method, "name": order.delivery_name,
                     "total": str(order.delivery_total)},
        "payment": {"method": order.payment_method, "name": order.payment_name},
        "currency": order.currency,
        "subtotal": str(order.subtotal),
        "total": str(order.total),
        "lines": [
            {"sku": line.sku, "name": line.product_name, "variant": line.variant_label, "quantity": line.quantity,
             "unit_price": str(line.unit_price), "total": str(line.line_total)}
            for line in order.lines.all()
        ],
    }


def sync_target_ensure(provider) -> SyncTarget:
    try:
        with transaction.atomic():  # a savepoint: another transaction may create it first
            return SyncTarget.objects.get_or_create(provider=provider)[0]
    except IntegrityError:
        return SyncTarget.objects.get(provider=provider)


def _take_seqs(target_id, count: int) -> range:
    """Take the target's next `count` numbers; the row stays locked (PostgreSQL) until the caller's transaction
    ends."""
    table = connection.ops.quote_name(SyncTarget._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET next_seq = next_seq + %s WHERE id = %s RETURNING next_seq",
                       [count, target_id])
        last = cursor.fetchone()[0]
    return range(last - count, last)


_held = threading.local()  # the rows kept by sync_rows_last() in this thread (its connection's transaction)


@contextmanager
def sync_rows_last():
    """Rows added inside the block are numbered and written when it ends without an exception, in the order they
    were added, still inside the caller's transaction. Nested blocks leave the writing to the outermost one."""
    if getattr(_held, "rows", None) is not None:
        yield
        return
    _held.rows = []
    try:
        yield
        rows = _held.rows
    finally:
        _held.rows = None
    _rows_write(rows)


def _rows_write(rows: list[SyncRow]) -> list[SyncRow]:
    for target_id in sorted({row.target_id for row in rows}):  # one order of locks for every writer
        mine = [row for row in rows if row.target_id == target_id]
        for row, seq in zip(mine, _take_seqs(target_id, len(mine)), strict=True):
            row.seq = seq
    return SyncRow.objects.bulk_create(rows)


def sync_rows_add(order, kind) -> list[SyncRow]:
    """One row per enabled accounting target, inside the caller's transaction (refused otherwise).
    Four queries for one target: the targets, the number, the order lines, the insert."""
    targets = list(SyncTarget.objects.filter(provider__kind=Provider.Kind.ACCOUNTING, provider__enabled=True)
                   .order_by("provider_id").values_list("pk", flat=True))
    if not targets:
        return []
    if not in_callers_transaction():
        raise OutboxOutsideTransaction(f"sync row {kind} for {order} outside the transaction of the order change")
    payload = order_snapshot(order)  # the order as it is at this change, even when written at the block's end
    rows = [SyncRow(target_id=target_id, order=order, order_number=order.number or str(order.pk), kind=kind,
                    payload=payload) for target_id in targets]
    if getattr(_held, "rows", None) is not None:
        _held.rows.extend(rows)
        return rows
    return _rows_write(rows)
