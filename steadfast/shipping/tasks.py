import time

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from steadfast.shipping.labels import shipment_label_fetch
from steadfast.shipping.services import shipment_create, shipment_track, shipments_due, shipments_track_due
from steadfast.shipping.watch import shipments_watch

SWEEP_SECONDS = 50  # one run of the minute's sweep ends before the next is due (lock_task keeps them apart anyway)


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
    shipments_drain()


def shipments_sweep(now=None, batch=100) -> int:
    """One pass over at most `batch` due shipments; how many were handled."""
    return sum(shipment_create(shipment_id, now) is not None for shipment_id in shipments_due(now, limit=batch))


def shipments_drain(now=None, batch=100, seconds=SWEEP_SECONDS) -> int:
    """Pass after pass while passes come back full, so a backlog left by a carrier outage is registered in one run
    of the minute's task instead of `batch` a minute. A shipment that fails again is rescheduled (no longer due), and
    a pass that hands out only shipments already tried in this run ends it: nothing is hammered."""
    deadline, tried, handled = time.monotonic() + seconds, set(), 0
    while True:
        due = shipments_due(now, limit=batch)
        fresh = [shipment_id for shipment_id in due if shipment_id not in tried]
        tried.update(fresh)
        handled += sum(shipment_create(shipment_id, now) is not None for shipment_id in fresh)
        if len(due) < batch or not fresh or time.monotonic() >= deadline:
            return handled


@db_periodic_task(crontab(minute="*"))
@lock_task("shipments-watch")
def shipments_watch_task():
    """Shipments waiting longer than SHIPPING_BACKLOG_MINUTES: one staff alert when it starts, one when it clears."""
    shipments_watch()


@db_periodic_task(crontab(minute="*/5"))
@lock_task("shipments-track")
def shipments_track_task():
    """Carrier status of registered shipments (polling; SHIPPING_TRACK_SECONDS apart) onto the order timeline."""
    shipments_track()


def shipments_track(now=None) -> int:
    return sum(shipment_track(shipment_id, now) is not None for shipment_id in shipments_track_due(now))
