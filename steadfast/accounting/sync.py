"""Sync rows: written in the transaction of the order change, one per accounting target, numbered in commit order.

Each accounting provider has its SyncTarget row from the moment it is saved (signals.py). The sequence number
comes from that counter row, incremented by an UPDATE that holds its lock until the order's transaction commits:
a worker never sees row N+1 committed while row N may still appear, so replaying in sequence order is replaying in
the order the changes happened. A rolled-back order leaves no row and no gap.
"""

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


def _next_seq(target_id) -> int:
    """Take the target's next number; the row stays locked (PostgreSQL) until the caller's transaction ends."""
    table = connection.ops.quote_name(SyncTarget._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET next_seq = next_seq + 1 WHERE id = %s RETURNING next_seq", [target_id])
        return cursor.fetchone()[0] - 1


def sync_rows_add(order, kind) -> list[SyncRow]:
    """One row per enabled accounting target, inside the caller's transaction (refused otherwise).
    Four queries for one target: the targets, the number, the order lines, the insert."""
    targets = list(SyncTarget.objects.filter(provider__kind=Provider.Kind.ACCOUNTING, provider__enabled=True)
                   .order_by("provider_id").values_list("pk", flat=True))
    if not targets:
        return []
    if not in_callers_transaction():
        raise OutboxOutsideTransaction(f"sync row {kind} for {order} outside the transaction of the order change")
    payload = order_snapshot(order)
    rows = [SyncRow(target_id=target_id, seq=_next_seq(target_id), order=order,
                    order_number=order.number or str(order.pk), kind=kind, payload=payload) for target_id in targets]
    return SyncRow.objects.bulk_create(rows)
