"""Orders shipped by hand: the emergency method (no carrier was reachable at checkout) and any order staff send
themselves. Staff enter the carrier and the tracking number; the customer gets the same "shipped" message (with the
tracking link) as for a carrier shipment, and the order moves to shipped, in one transaction."""

from django.contrib import admin
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from steadfast.orders.models import Order, OrderStatus
from steadfast.orders.services import order_event_add
from steadfast.orders.states import order_allowed_transitions
from steadfast.shipping.interface import Milestone
from steadfast.shipping.models import DeliveryMethod, Shipment
from steadfast.shipping.tracking import milestone_reached


class HandShipRefused(ValueError):
    pass


def orders_to_ship_by_hand():
    """Orders on an emergency method, ready to leave (paid, or cash on delivery confirmed), without a shipment."""
    methods = DeliveryMethod.objects.filter(kind=DeliveryMethod.Kind.EMERGENCY).values("code")
    shipped = Shipment.objects.filter(order=OuterRef("pk"))
    return Order.objects.filter(delivery_method__in=methods).exclude(Exists(shipped)).filter(
        status__in=(OrderStatus.PAID, OrderStatus.AWAITING_OFFLINE_PAYMENT))


def shipment_ship_by_hand(order, carrier: str, tracking_number: str, tracking_url: str, actor) -> Shipment:
    carrier, tracking_number, tracking_url = carrier.strip(), tracking_number.strip(), tracking_url.strip()
    if not carrier or not tracking_number:
        raise HandShipRefused(_("Enter the carrier and the tracking number."))
    if tracking_url and not tracking_url.startswith(("https://", "http://")):
        raise HandShipRefused(_("The tracking link must start with https://."))
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if Shipment.objects.filter(order=locked).exists():
            raise HandShipRefused(_("Order %(number)s already has a shipment.") % {"number": locked.number})
        if OrderStatus.FULFILLED not in order_allowed_transitions(locked):
            raise HandShipRefused(_("Order %(number)s cannot be shipped now (it is %(status)s).") % {
                "number": locked.number, "status": locked.get_status_display()})
        shipment = Shipment.objects.create(
            order=locked, provider=None, carrier_name=carrier[:100], service="", state=Shipment.State.CREATED,
            tracking_number=tracking_number[:100], tracking_url=tracking_url[:500], sent=True)
        order_event_add(locked, "shipment", actor, _("Shipped by hand with %(carrier)s, tracking number "
                                                     "%(number)s.") % {"carrier": carrier, "number": tracking_number})
        milestone_reached(shipment, Milestone.SHIPPED, actor)
    return shipment


class ShipByHandFilter(admin.SimpleListFilter):
    """The order list's "Ship by hand" filter: emergency-method orders waiting for staff to send them."""

    title = gettext_lazy("ship by hand")
    parameter_name = "by_hand"

    def lookups(self, request, model_admin):
        return [("yes", gettext_lazy("Waiting to be shipped by hand"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(pk__in=orders_to_ship_by_hand().values("pk"))
        return queryset
