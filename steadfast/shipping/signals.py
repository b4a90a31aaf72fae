"""Write the Shipment row in the same transaction that marks an order paid (or places a cash-on-delivery order)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from steadfast.orders.models import OrderEvent, OrderStatus

CASH_ON_DELIVERY = "cash_on_delivery"  # the adapter key: these orders ship before they are paid


@receiver(post_save, sender=OrderEvent, dispatch_uid="shipping.order_event")
def shipment_on_order_event(sender, instance, created, **kwargs):
    if not created or instance.kind != "status":
        return
    paid = instance.to_status == OrderStatus.PAID
    cash_on_delivery = instance.to_status == OrderStatus.AWAITING_OFFLINE_PAYMENT and _cash_on_delivery(instance.order)
    if paid or cash_on_delivery:
        from steadfast.shipping.services import shipment_ensure

        shipment_ensure(instance.order)


def _cash_on_delivery(order) -> bool:
    from steadfast.providers.models import Provider

    return Provider.objects.filter(code=order.payment_method, adapter=CASH_ON_DELIVERY).exists()
