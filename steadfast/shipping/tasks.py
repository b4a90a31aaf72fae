from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from steadfast.shipping.labels import shipment_label_fetch
from steadfast.shipping.services import shipment_create, shipment_track, shipments_due, shipments_track_due


@db_task()
def shipment_create_task(shipment_id):
    shipment_create(shipment_id)


@db_task(retries=5, retry_delay=60)
def shipment_label_task(shipment_id):
    """The label after registration; the carrier may still be making it (retried, then staff fetch it)."""
    shipment_label_fetch(shipment_id)


@db_periodic_task(crontab(minute="*"))
@lock_task("shipments-sweep")
def shipments_sweep_task():
    """Shipments due again (carrier was out, registration pending) or whose fast path was lost."""
    shipments_sweep()


def shipments_sweep(now=None) -> int:
    handled = 0
    for shipment_id in shipments_due(now):
        handled += shipment_create(shipment_id, now) is not None
    return handled


@db_periodic_task(crontab(minute="*/5"))
@lock_task("shipments-track")
def shipments_track_task():
    """Carrier status of registered shipments (polling; SHIPPING_TRACK_SECONDS apart) onto the order timeline."""
    shipments_track()


def shipments_track(now=None) -> int:
    return sum(shipment_track(shipment_id, now) is not None for shipment_id in shipments_track_due(now))
