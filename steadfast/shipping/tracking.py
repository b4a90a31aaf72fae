"""A shipment's carrier status applied once, whoever noticed it (polling, a webhook, staff shipping by hand).

In one transaction with the status change: the timeline entry, the customer's message through the outbox (one per
shipment and milestone: a repeated status or a redelivered webhook sends nothing more) and the order's own status
through the state machine (shipped -> fulfilled, delivered -> delivered). The "shipped" message is the order's
`order_shipped` message (its key is per order, the one the state machine uses), now with the tracking link.
"""

import logging

from django.db import transaction
from django.utils.translation import gettext as _

from steadfast.notify.outbox import outbox_add
from steadfast.orders.models import OrderStatus
from steadfast.orders.services import SYSTEM, order_deliver, order_event_add, order_fulfil, order_payload
from steadfast.orders.states import order_allowed_transitions
from steadfast.shipping.interface import Milestone, ShipmentInfo, ShipmentState
from steadfast.shipping.models import Shipment

log = logging.getLogger(__name__)
State = Shipment.State
# The milestones a later one implies (a parcel reported delivered was shipped, even if we missed that status).
ORDER = [Milestone.SHIPPED, Milestone.IN_TRANSIT, Milestone.READY_FOR_PICKUP, Milestone.DELIVERED]


def shipment_status_apply(shipment_id: int, info: ShipmentInfo, actor=SYSTEM) -> Shipment:
    """Record the carrier's status of a registered shipment; tell the customer about a new milestone."""
    with transaction.atomic():
        # of=self: the carrier is a nullable join (shipped by hand), which PostgreSQL cannot lock.
        shipment = Shipment.objects.select_for_update(of=("self",)).select_related("order", "provider").get(
            pk=shipment_id)
        changed = bool(info.status_name) and info.status_name != shipment.carrier_status
        shipment.carrier_status = info.status_name or shipment.carrier_status
        if info.tracking_number and not shipment.tracking_number:
            shipment.tracking_number = info.tracking_number
        if info.state == ShipmentState.DELIVERED or info.milestone == Milestone.DELIVERED:
            shipment.state = State.DELIVERED
        elif info.state == ShipmentState.CANCELLED:
            shipment.state = State.CANCELLED
        shipment.lease_until, shipment.last_error = None, ""
        shipment.save()
        if changed:
            order_event_add(shipment.order, "tracking", actor, f"{carrier_name(shipment)}: {info.status_name}")
        if info.milestone:
            milestone_reached(shipment, Milestone(info.milestone), actor)
    return shipment


def milestone_reached(shipment, milestone: Milestone, actor=SYSTEM):
    """Inside the caller's transaction: the customer's message(s) and the order's status for `milestone`."""
    order = shipment.order
    for step in ORDER[:ORDER.index(milestone) + 1]:
        if step == Milestone.SHIPPED:
            _shipped(shipment, actor)
        else:
            outbox_add(key=f"tracking:{shipment.pk}:{step}", kind="shipment_tracking", recipient=order.email,
                       order=order, payload={**tracking_payload(shipment), "milestone": str(step)})
    if milestone == Milestone.DELIVERED:
        order.refresh_from_db()
        if OrderStatus.DELIVERED in order_allowed_transitions(order):
            order_deliver(order, actor, _("Delivered, as %(carrier)s reports.") % {"carrier": carrier_name(shipment)})


def _shipped(shipment, actor):
    order = shipment.order
    # Written first under the key the state machine uses for its "shipped" message: one message, with tracking.
    outbox_add(key=f"order_shipped:{order.pk}", kind="order_shipped", recipient=order.email, order=order,
               payload={**order_payload(order), **tracking_payload(shipment)})
    order.refresh_from_db()
    if OrderStatus.FULFILLED in order_allowed_transitions(order):
        order_fulfil(order, actor, _("Handed to %(carrier)s, tracking number %(number)s.") % {
            "carrier": carrier_name(shipment), "number": shipment.tracking_number})


def tracking_payload(shipment) -> dict:
    return {"carrier": carrier_name(shipment), "tracking_number": shipment.tracking_number,
            "tracking_url": shipment.tracking_url}


def carrier_name(shipment) -> str:
    return shipment.provider.name if shipment.provider_id else shipment.carrier_name
