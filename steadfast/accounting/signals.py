"""Every order change accounting needs becomes sync rows in the same transaction (the OrderEvent is written there)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from steadfast.orders.models import OrderEvent
from steadfast.providers.models import Provider


@receiver(post_save, sender=OrderEvent, dispatch_uid="accounting.order_event")
def sync_rows_on_order_event(sender, instance, created, **kwargs):
    if not created or instance.order.synthetic:
        return  # the synthetic checkout probe's orders are not business: accounting never hears of them
    from steadfast.accounting.sync import event_sync_kind, sync_rows_add

    kind = event_sync_kind(instance)
    if kind:
        sync_rows_add(instance.order, kind)


@receiver(post_save, sender=Provider, dispatch_uid="accounting.provider")
def sync_target_on_provider(sender, instance, **kwargs):
    """An accounting provider gets its counter row when saved, so placing an order never has to create one."""
    if instance.kind == Provider.Kind.ACCOUNTING:
        from steadfast.accounting.sync import sync_target_ensure

        sync_target_ensure(instance)
