""""Complete your payment": when a gateway comes back, tell the customers it turned away.

Receiver for providers.signals.health_changed. When a payment provider's breaker closes again (or staff enable
it), every order still awaiting payment whose latest attempt failed as Unavailable on that provider within the
reservation window gets one e-mail (outbox kind "payment_recovered") with the link to its order page, where the
same order can be paid. The outbox key is per order, so a gateway flapping open and closed writes it once.
Off with PAYMENT_RECOVERY_EMAILS=false.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from steadfast.notify.models import OutboxMessage
from steadfast.notify.outbox import outbox_add
from steadfast.orders.models import Order, OrderStatus
from steadfast.orders.services import order_payload
from steadfast.payments import routing
from steadfast.payments.models import Payment
from steadfast.providers.models import HealthEvent, Provider

CLOSED = HealthEvent.State.CLOSED


def payment_recovery_on_health(sender, event=None, **kwargs):
    if not settings.PAYMENT_RECOVERY_EMAILS or event is None:
        return
    if event.to_state != CLOSED or event.from_state == CLOSED or event.provider.kind != Provider.Kind.PAYMENT:
        return
    payments_recovery_notify(event.provider)


def payments_recovery_notify(provider, now=None) -> int:
    """Write the outbox e-mails for `provider` coming back; returns how many orders were newly told."""
    now = now or timezone.now()
    since = now - timedelta(minutes=settings.RESERVATION_MINUTES)
    order_ids = Payment.objects.filter(
        provider=provider, state=Payment.State.FAILED, failure=Payment.Failure.UNAVAILABLE, updated_at__gte=since,
        order__status=OrderStatus.PENDING_PAYMENT,
    ).values_list("order_id", flat=True).distinct()
    told = 0
    for order in Order.objects.filter(pk__in=list(order_ids)):
        latest = order.payments.order_by("-created_at", "-pk").first()
        if latest.provider_id != provider.pk or latest.failure != Payment.Failure.UNAVAILABLE:
            continue  # the customer tried again since, elsewhere or here
        if (order.reserved_until is not None and order.reserved_until <= now) or routing.start_refusal(order):
            continue
        key = f"payment_recovered:{order.pk}"
        if OutboxMessage.objects.filter(key=key).exists():
            continue  # told once already (the gateway flapped): once per order is enough
        with transaction.atomic():
            outbox_add(key=key, kind="payment_recovered", recipient=order.email, order=order,
                       payload={**order_payload(order), "provider": provider.name})
        told += 1
    return told
