"""Shipments: a durable row written with the payment, registered at the carrier by the worker, exactly once.

shipment_ensure() runs inside the transaction that marks the order paid (or places a cash-on-delivery order) and
writes the Shipment row; the worker (shipping.tasks) calls shipment_create() after commit, and a periodic sweep
picks up anything due whose fast path was lost (queue down, worker killed). Never in the web request.

Exactly one shipment per order at the carrier: the row is flagged `sent` before the create leaves; from then on
every retry first asks the carrier for an order with our order number (a create whose answer was lost, a worker
killed mid-call) and only creates when the carrier has none. The carrier also refuses a second order with the same
number. While the carrier is out, shipments wait (state "waiting", last error shown to staff) and are retried with
backoff; they complete by themselves when it returns.
"""

import logging
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from steadfast.money import Money
from steadfast.orders.models import OrderStatus
from steadfast.orders.services import SYSTEM, order_event_add
from steadfast.providers.call import call
from steadfast.providers.errors import Indeterminate, ProviderError, Rejected
from steadfast.providers.registry import adapter_for
from steadfast.shipping.interface import Location, Parcel, ShipmentInfo, ShipmentRequest, ShipmentState
from steadfast.shipping.models import DeliveryMethod, Shipment
from steadfast.shipping.parcels import default_parcel, parcel_for
from steadfast.shipping.quotes import carrier_origin, remembered_option
from steadfast.shipping.tracking import shipment_status_apply

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=1)
# Registration at the carrier is asynchronous (CDEK): asked again this soon while it is still pending.
PENDING_RECHECK = timedelta(seconds=30)
State = Shipment.State


def shipment_ensure(order) -> Shipment | None:
    """The order's Shipment row when it goes by a carrier method (inside the caller's transaction)."""
    if order.synthetic:
        # The synthetic checkout's order (cash on delivery ships unpaid) is cancelled a moment later: a worker
        # picking the shipment up in between would book a real parcel with the carrier.
        return None
    method = DeliveryMethod.objects.filter(code=order.delivery_method, kind=DeliveryMethod.Kind.CARRIER,
                                           provider__isnull=False).select_related("provider").first()
    if method is None:
        return None
    parcel = parcel_for((line.variant, line.quantity) for line in order.lines.select_related("variant__product"))
    remembered = remembered_option(method, order_destination(order), parcel)
    service = method.service or (remembered.service if remembered else "")
    shipment, created = Shipment.objects.get_or_create(order=order, defaults={
        "provider": method.provider, "service": service, "weight_grams": parcel.weight_grams,
        "length_cm": parcel.length_cm, "width_cm": parcel.width_cm, "height_cm": parcel.height_cm,
        "pickup_point": order.pickup_point,
        "state": State.WAITING if service else State.FAILED,
        "last_error": "" if service else "the delivery method has no carrier service (set one in the admin)",
    })
    if created:
        order_event_add(order, "shipment", SYSTEM, _("Shipment with %(carrier)s queued.") % {
            "carrier": method.provider.name})
        transaction.on_commit(lambda: _enqueue(shipment.pk))
    return shipment


def shipment_create(shipment_id: int, now=None) -> Shipment | None:
    """One worker pass over one due shipment: find or create it at the carrier, or schedule the next try."""
    shipment = _claim(shipment_id, now or timezone.now())
    if shipment is None:
        return None
    order, provider = shipment.order, shipment.provider
    if order.status in (OrderStatus.CANCELLED, OrderStatus.REFUNDED) and not (shipment.sent or shipment.reference):
        return _withdrawn(shipment)
    adapter = adapter_for(provider)
    try:
        info = _find(shipment, adapter) if (shipment.sent or shipment.reference) else None
        if info is None:
            Shipment.objects.filter(pk=shipment.pk).update(sent=True)  # before it leaves: a lost answer is found
            info = call(provider, "create_shipment", partial(adapter.create_shipment, _request(shipment)),
                        reference=order.number, background=True)
        if info.state == ShipmentState.PENDING:
            info = call(provider, "shipment_status", partial(adapter.shipment_status, info.reference),
                        reference=order.number, background=True)
    except Rejected as error:
        return _refused(shipment, str(error))
    except ProviderError as error:
        if not shipment.sent and not isinstance(error, Indeterminate):
            # Unavailable / Misconfigured / breaker open: the carrier did not take it (DESIGN: safe to go
            # elsewhere), so staff may still move it to another carrier. Indeterminate keeps it "sent".
            Shipment.objects.filter(pk=shipment.pk).update(sent=False)
        return _retry_later(shipment, f"{type(error).__name__}: {error}", now)
    return _settled(shipment, info, now)


def shipments_due(now=None, limit=100) -> list[int]:
    now = now or timezone.now()
    due = Shipment.objects.filter(state__in=(State.WAITING, State.PENDING), next_attempt_at__lte=now).exclude(
        lease_until__gt=now)
    return list(due.order_by("next_attempt_at").values_list("pk", flat=True)[:limit])


def shipments_track_due(now=None, limit=100) -> list[int]:
    now = now or timezone.now()
    due = Shipment.objects.filter(state=State.CREATED, next_attempt_at__lte=now, provider__isnull=False).exclude(
        lease_until__gt=now)  # shipped by hand: no carrier to ask
    return list(due.order_by("next_attempt_at").values_list("pk", flat=True)[:limit])


def shipment_track(shipment_id: int, now=None) -> Shipment | None:
    """Poll one registered shipment's status; a new carrier status lands on the order timeline."""
    now = now or timezone.now()
    claimed = Shipment.objects.filter(pk=shipment_id, state=State.CREATED, next_attempt_at__lte=now).exclude(
        lease_until__gt=now).update(lease_until=now + LEASE)
    if not claimed:
        return None
    shipment = Shipment.objects.select_related("order", "provider").get(pk=shipment_id)
    adapter = adapter_for(shipment.provider)
    next_poll = now + timedelta(seconds=settings.SHIPPING_TRACK_SECONDS)
    try:
        info = call(shipment.provider, "status", partial(adapter.shipment_status, shipment.reference),
                    reference=shipment.order.number, background=True)
    except ProviderError as error:  # asked again at the next poll; background failures alert staff (call())
        Shipment.objects.filter(pk=shipment.pk).update(lease_until=None, next_attempt_at=next_poll,
                                                       last_error=str(error)[:500])
        return shipment
    Shipment.objects.filter(pk=shipment.pk).update(next_attempt_at=next_poll)
    return shipment_status_apply(shipment.pk, info)


def shipments_retry_now(queryset) -> int:
    """Staff: try these waiting shipments again now (e.g. the carrier is back)."""
    ids = list(queryset.filter(state__in=(State.WAITING, State.PENDING)).values_list("pk", flat=True))
    Shipment.objects.filter(pk__in=ids).update(next_attempt_at=timezone.now(), lease_until=None)
    for pk in ids:
        transaction.on_commit(partial(_enqueue, pk))
    return len(ids)


def shipments_move(queryset, method, actor) -> tuple[int, list[str]]:
    """Staff: hand waiting shipments to another carrier method. Returns (moved, order numbers left alone).

    Only shipments never sent: one whose create was sent may exist at the first carrier (a lost answer), and
    moving it could make two parcels. Those are listed back to staff to resolve at the first carrier."""
    if method.kind != DeliveryMethod.Kind.CARRIER or method.provider_id is None or not method.service:
        raise ValueError(_("%(method)s is not a carrier method with a carrier service.") % {"method": method.name})
    moved, kept = 0, []
    for shipment in queryset.select_related("order", "provider"):
        with transaction.atomic():
            locked = Shipment.objects.select_for_update(of=("self",)).select_related("provider").get(pk=shipment.pk)
            if locked.state != State.WAITING or locked.sent or locked.reference:
                kept.append(shipment.order.number)
                continue
            old = locked.provider.name
            locked.provider, locked.service, locked.pickup_point = method.provider, method.service, ""
            locked.attempts, locked.last_error, locked.next_attempt_at = 0, "", timezone.now()
            locked.save()
            order_event_add(locked.order, "shipment", actor, _("Shipment moved from %(old)s to %(new)s.") % {
                "old": old, "new": method.provider.name})
            transaction.on_commit(partial(_enqueue, locked.pk))
            moved += 1
    return moved, kept


# --- steps --------------------------------------------------------------------------------------------------
def _claim(shipment_id, now) -> Shipment | None:
    claimable = Shipment.objects.filter(pk=shipment_id, state__in=(State.WAITING, State.PENDING),
                                        next_attempt_at__lte=now).exclude(lease_until__gt=now)
    if not claimable.update(lease_until=now + LEASE):
        return None
    return Shipment.objects.select_related("order", "provider").get(pk=shipment_id)


def _find(shipment, adapter) -> ShipmentInfo | None:
    provider, number = shipment.provider, shipment.order.number
    if shipment.reference:
        return call(provider, "shipment_status", partial(adapter.shipment_status, shipment.reference),
                    reference=number, background=True)
    return call(provider, "find_shipment", partial(adapter.find_shipment, number), reference=number,
                background=True)


def order_destination(order, with_street=False) -> Location:
    street = ", ".join(filter(None, [order.address_line1, order.address_line2])) if with_street else ""
    return Location(country=order.country, postcode=order.postcode, city=order.city, address=street)


def _request(shipment) -> ShipmentRequest:
    order = shipment.order
    origin = carrier_origin(shipment.provider)
    destination = order_destination(order, with_street=True)
    items = tuple((line.product_name, line.sku, line.quantity, Money(line.unit_price, order.currency))
                  for line in order.lines.all())
    parcel = _parcel(shipment)
    return ShipmentRequest(number=order.number, service=shipment.service, parcel=parcel, origin=origin,
                           destination=destination, recipient_name=order.full_name, recipient_phone=order.phone,
                           recipient_email=order.email, pickup_point=shipment.pickup_point, items=items)


def _parcel(shipment) -> Parcel:
    """The parcel as quoted; what a row from before sizes were kept lacks comes from the defaults."""
    default = default_parcel()
    sides = (shipment.length_cm, shipment.width_cm, shipment.height_cm)
    if not all(sides):
        sides = (default.length_cm, default.width_cm, default.height_cm)
    return Parcel(shipment.weight_grams or default.weight_grams, *sides)


def _settled(shipment, info: ShipmentInfo, now) -> Shipment:
    if info.state == ShipmentState.FAILED:
        return _refused(shipment, "; ".join(info.errors) or "refused", reference=info.reference)
    state = {ShipmentState.CREATED: State.CREATED, ShipmentState.PENDING: State.PENDING,
             ShipmentState.CANCELLED: State.CANCELLED, ShipmentState.DELIVERED: State.DELIVERED}[info.state]
    with transaction.atomic():
        locked = Shipment.objects.select_for_update().get(pk=shipment.pk)
        was = locked.state
        locked.state, locked.reference, locked.lease_until, locked.last_error = state, info.reference, None, ""
        locked.tracking_number = info.tracking_number or locked.tracking_number
        if locked.tracking_number and not locked.tracking_url:
            locked.tracking_url = (info.tracking_url
                                   or adapter_for(locked.provider).tracking_url(locked.tracking_number))[:500]
        locked.carrier_status = info.status_name or locked.carrier_status
        locked.sent = True
        if state == State.PENDING:
            locked.next_attempt_at = (now or timezone.now()) + PENDING_RECHECK
        elif state == State.CREATED:  # from now on: the next tracking poll
            locked.next_attempt_at = (now or timezone.now()) + timedelta(seconds=settings.SHIPPING_TRACK_SECONDS)
        locked.save()
        if state == State.CREATED and was != State.CREATED:
            order_event_add(locked.order, "shipment", SYSTEM, _(
                "Shipment created with %(carrier)s, tracking number %(number)s.") % {
                "carrier": locked.provider.name, "number": locked.tracking_number})
            transaction.on_commit(partial(_enqueue_label, locked.pk))
    return locked


def _refused(shipment, message, reference="") -> Shipment:
    with transaction.atomic():
        locked = Shipment.objects.select_for_update().get(pk=shipment.pk)
        locked.state, locked.last_error, locked.lease_until = State.FAILED, message[:500], None
        locked.reference = reference or locked.reference
        locked.attempts += 1
        locked.save()
        order_event_add(locked.order, "shipment", SYSTEM, _(
            "%(carrier)s refused the shipment: %(error)s") % {"carrier": locked.provider.name, "error": message})
    log.warning("shipment for %s refused by %s: %s", locked.order.number, locked.provider.code, message)
    return locked


def _withdrawn(shipment) -> Shipment:
    """The order was cancelled before its parcel reached the carrier: nothing to create."""
    with transaction.atomic():
        locked = Shipment.objects.select_for_update().get(pk=shipment.pk)
        locked.state, locked.lease_until = State.CANCELLED, None
        locked.save()
        order_event_add(locked.order, "shipment", SYSTEM, _("Shipment not created: the order was cancelled."))
    return locked


def _retry_later(shipment, message, now) -> Shipment:
    with transaction.atomic():
        locked = Shipment.objects.select_for_update().get(pk=shipment.pk)
        locked.attempts += 1
        delay = min(timedelta(seconds=settings.SHIPPING_RETRY_SECONDS * 2 ** (locked.attempts - 1)), MAX_BACKOFF)
        locked.next_attempt_at = (now or timezone.now()) + delay
        locked.last_error, locked.lease_until = message[:500], None
        locked.save()
        if locked.attempts == 1:  # once on the timeline; staff see the rest in the shipments list
            order_event_add(locked.order, "shipment", SYSTEM, _(
                "%(carrier)s is not reachable; the shipment waits and is retried automatically.") % {
                "carrier": locked.provider.name})
    return locked


def _enqueue_label(shipment_id):
    from steadfast.shipping.tasks import shipment_label_task

    try:
        shipment_label_task(shipment_id)
    except OSError as error:  # staff can fetch it from the shipment's page
        log.warning("label of shipment %s not queued (%s)", shipment_id, error)


def _enqueue(shipment_id):
    from steadfast.shipping.tasks import shipment_create_task

    try:
        shipment_create_task(shipment_id)
    except OSError as error:  # the queue is down: the sweep finds the row
        log.warning("shipment %s not queued (%s); the sweep will pick it up", shipment_id, error)
