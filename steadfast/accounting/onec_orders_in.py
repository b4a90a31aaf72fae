"""Order changes 1C uploads (`type=sale&mode=file`): CommerceML 2.05 Документ requisites become status changes.

Per Документ (Номер or Ид = our order number), from ЗначенияРеквизитов:
    "Дата оплаты по 1С" set  -> paid        "Дата отгрузки по 1С" set -> shipped (fulfilled)
    "Отменен" = true        -> cancelled   ("Проведен" only says 1C posted it: no status of its own)
Each is applied through the orders services with actor "1C" (so it gets an OrderEvent and its own sync rows), in
that order, when the order state machine allows it; one already in effect is skipped. A change the state machine
refuses, or any change to an order that changed here since 1C last received it (its rows to 1C still wait), is a
Conflict with both versions for staff, never applied.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from steadfast.accounting.commerceml import child, local_name, parse_xml, text_of
from steadfast.accounting.models import Conflict, SyncRow
from steadfast.orders.models import Order, OrderStatus
from steadfast.orders.services import order_cancel, order_fulfil, order_mark_paid
from steadfast.orders.states import TransitionNotAllowed

ACTOR = "1C"
TRUE = {"true", "истина", "да", "1"}


@dataclass
class OrdersReport:
    applied: list = field(default_factory=list)  # [number, change]
    conflicts: list = field(default_factory=list)  # [number, change]
    unknown: list = field(default_factory=list)  # numbers we do not have


def _requisites(document) -> dict:
    props = child(document, "ЗначенияРеквизитов")
    found = {}
    for prop in (props if props is not None else []):
        if local_name(prop) == "ЗначениеРеквизита":
            found[text_of(prop, "Наименование")] = text_of(prop, "Значение")
    return found


def wanted_changes(requisites: dict) -> list[str]:
    wanted = []
    if requisites.get("Дата оплаты по 1С"):
        wanted.append(OrderStatus.PAID)
    if requisites.get("Дата отгрузки по 1С"):
        wanted.append(OrderStatus.FULFILLED)
    if requisites.get("Отменен", "").lower() in TRUE:
        wanted.append(OrderStatus.CANCELLED)
    return wanted


def _in_effect(order, change) -> bool:
    if change == OrderStatus.PAID:
        return order.paid_at is not None
    if change == OrderStatus.FULFILLED:
        return order.status in (OrderStatus.FULFILLED, OrderStatus.DELIVERED, OrderStatus.REFUNDED)
    return order.status == OrderStatus.CANCELLED


APPLY = {OrderStatus.PAID: order_mark_paid, OrderStatus.FULFILLED: order_fulfil, OrderStatus.CANCELLED: order_cancel}


def _ours(order) -> dict:
    return {"status": order.status, "paid_at": order.paid_at.isoformat() if order.paid_at else None,
            "updated": order.updated_at.isoformat()}


def orders_from_1c(target, data: bytes) -> OrdersReport:
    """Apply 1C's order document (CommerceMLError when it is not one we can trust: nothing applied)."""
    root = parse_xml(data)
    documents = [d for d in root if local_name(d) == "Документ"]
    report = OrdersReport()
    for document in documents:
        number = text_of(document, "Номер") or text_of(document, "Ид")
        requisites = _requisites(document)
        wanted = wanted_changes(requisites)
        order = Order.objects.filter(number=number).first() if number else None
        if order is None:
            report.unknown.append(number)
            continue
        theirs = {"document": number, "requisites": requisites}
        with transaction.atomic():
            # Locked before looking: a staff edit committing after the look would be overwritten without a
            # conflict, and its sync row marked "made in 1C" below (the order services lock the same row).
            order = Order.objects.select_for_update().get(pk=order.pk)
            changed_here = SyncRow.objects.filter(target=target, order=order, state=SyncRow.State.PENDING).exists()
            for change in wanted:
                order.refresh_from_db()
                if _in_effect(order, change):
                    continue
                if changed_here:
                    _conflict(target, order, {**theirs, "wanted": change,
                                              "why": "changed in the shop since 1C last received it"}, report)
                    continue
                latest = SyncRow.objects.filter(target=target).order_by("-seq").values_list("seq", flat=True).first()
                try:
                    APPLY[change](order, ACTOR, f"From 1C (document {number}).")
                except TransitionNotAllowed as refused:
                    _conflict(target, order, {**theirs, "wanted": change, "why": str(refused)}, report)
                    continue
                # 1C made this change: it needs no copy back (other systems still get theirs).
                SyncRow.objects.filter(target=target, order=order, state=SyncRow.State.PENDING,
                                       seq__gt=latest or 0).update(state=SyncRow.State.DONE, done_at=timezone.now(),
                                                                   last_error="made in 1C")
                report.applied.append([number, str(change)])
    return report


def _conflict(target, order, theirs, report):
    # 1C sends a change again at every exchange until someone acts: one open conflict per order and change.
    waiting = Conflict.objects.filter(target=target, subject=Conflict.Subject.ORDER, reference=order.number,
                                      resolved_at__isnull=True, theirs__wanted=str(theirs["wanted"]))
    if not waiting.exists():
        Conflict.objects.create(target=target, subject=Conflict.Subject.ORDER, reference=order.number,
                                ours=_ours(order), theirs=theirs)
    report.conflicts.append([order.number, str(theirs["wanted"])])
