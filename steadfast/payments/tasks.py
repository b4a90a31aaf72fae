from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from steadfast.payments.reconcile import payments_reconcile


@db_periodic_task(crontab(minute="*"))
@lock_task("payments-reconcile")
def payments_reconcile_task():
    """Every minute; the lock keeps two workers from querying (and refunding) the same payments at once."""
    payments_reconcile()
