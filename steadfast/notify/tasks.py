from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from steadfast.notify.campaigns import campaigns_tick
from steadfast.notify.delivery import outbox_deliver
from steadfast.notify.outbox import outbox_due_ids
from steadfast.notify.watch import outbox_watch


@db_task()
def outbox_deliver_task(message_id):
    outbox_deliver(message_id)


@db_periodic_task(crontab(minute="*"))
@lock_task("outbox-sweep")
def outbox_sweep_task():
    """Catch anything the fast path missed: queue down at commit time, worker killed, retries due."""
    outbox_sweep()


@db_periodic_task(crontab(minute="*"))
@lock_task("outbox-watch")
def outbox_watch_task():
    """Dead letters or a growing backlog: one staff alert when it starts, one when it clears."""
    outbox_watch()


@db_periodic_task(crontab(minute="*"))
@lock_task("campaigns-tick")
def campaigns_tick_task():
    """Due campaigns: queued while the shop is open, held otherwise."""
    campaigns_tick()


def outbox_sweep(limit=100) -> int:
    """Deliver what is due; one message failing (whatever the error) never stops the ones behind it."""
    delivered = 0
    for message_id in outbox_due_ids(limit):
        delivered += outbox_deliver(message_id)
    return delivered
