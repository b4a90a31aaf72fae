from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from steadfast.notify.delivery import outbox_deliver
from steadfast.notify.outbox import outbox_due_ids


@db_task()
def outbox_deliver_task(message_id):
    outbox_deliver(message_id)


@db_periodic_task(crontab(minute="*"))
@lock_task("outbox-sweep")
def outbox_sweep_task():
    """Catch anything the fast path missed: queue down at commit time, worker killed, retries due."""
    outbox_sweep()


def outbox_sweep() -> int:
    delivered = 0
    for message_id in outbox_due_ids():
        delivered += outbox_deliver(message_id)
    return delivered
