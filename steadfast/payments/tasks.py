from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from steadfast.payments.followup import payment_recheck, payments_sessions_close
from steadfast.payments.reconcile import payments_reconcile


@db_periodic_task(crontab(minute="*"))
@lock_task("payments-reconcile")
def payments_reconcile_task():
    """Every minute; the lock keeps two workers from querying (and refunding) the same payments at once."""
    payments_reconcile()


@db_task()
def payment_recheck_task(payment_id, attempt=0):
    """A confirming payment asked again within seconds (followup.payment_recheck_soon)."""
    payment_recheck(payment_id, attempt)


@db_task()
def payment_sessions_close_task():
    """Close the hosted pages the customer will not use, soon after they were marked (reconciliation too)."""
    payments_sessions_close()
