"""The fault drill's books (bench/fault_drill.py): what the gateway fakes charged, compared with the shop's orders."""

import uuid

from steadfast.orders.models import Order, OrderStatus
from steadfast.payments import routing
from steadfast.payments.models import Payment


def ledger(drill):
    """Per order: successful charges at the fakes (kept, refunded), from the fakes' own books."""
    charges = {pk: [] for pk in drill.orders}
    numbers = dict(Order.objects.filter(pk__in=drill.orders).values_list("number", "pk"))
    for charge in drill.stripe.charges():
        if charge["order"] in numbers:
            charges[numbers[charge["order"]]].append(charge["refunded"] >= charge["amount"])
    keys = dict(Payment.objects.filter(order_id__in=drill.orders).values_list("key", "order_id"))
    for charge in drill.paypal.ledger.successful():
        order = keys.get(uuid.UUID(charge.key))
        if order is not None:
            charges[order].append(charge.refunded >= charge.amount)
    return charges


def stuck(drill):
    """Payments still unknown, and charges at a fake whose payment the shop does not hold as paid or refunded."""
    unknown = Payment.objects.filter(order_id__in=drill.orders, state=Payment.State.UNKNOWN).count()
    settled = {Payment.State.SUCCEEDED, Payment.State.REFUNDED}
    refs = {p.reference: p.state for p in Payment.objects.filter(order_id__in=drill.orders)}
    keys = {str(p.key): p.state for p in Payment.objects.filter(order_id__in=drill.orders)}
    unseen = sum(refs.get(c["session"]) not in settled for c in drill.stripe.charges())
    unseen += sum(keys.get(c.key) not in settled for c in drill.paypal.ledger.successful())
    return unknown + unseen


def stranded(drill):
    """Orders neither paid nor payable: no way offered to a customer who wants to pay."""
    count = 0
    for order in Order.objects.filter(pk__in=drill.orders):
        if order.status == OrderStatus.PENDING_PAYMENT and routing.start_refusal(order):
            count += 1
    return count
