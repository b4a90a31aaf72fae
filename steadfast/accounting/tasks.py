from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task, lock_task
from huey.exceptions import TaskLockedException

from steadfast.accounting.replay import accounting_sweep

# Made at import, like lock_task's decorator, so a starting worker's flush_locks knows it and clears it when a
# killed worker left it held.
SWEEP_LOCK = HUEY.lock_task("accounting-sweep")


@db_periodic_task(crontab(minute="*"))
def accounting_sweep_task():
    _sweep()


@db_task()
def accounting_sweep_next_task():
    _sweep()


def _sweep():
    """Replay each due target's backlog (one batch each); a full batch queues the next run at once, so a long
    backlog drains at ACCOUNTING_REPLAY_RATE instead of one batch a minute.

    The next run is queued only after the lock is released: queued inside it, a free worker (or an immediate
    queue) picks it up while the lock is still held, and Huey drops a task it cannot lock, ending the chain. A run
    that finds the lock taken does nothing; the run holding it queues its own successor when it leaves more."""
    try:
        with SWEEP_LOCK:
            results = accounting_sweep()
    except TaskLockedException:
        return
    if any(r.synced + r.conflicts >= settings.ACCOUNTING_REPLAY_BATCH for r in results.values()):
        accounting_sweep_next_task()


@db_periodic_task(crontab(minute="*/15"))
@lock_task("accounting-stock")
def accounting_stock_task():
    """Stock read back from the targets that offer it (MoySklad), through the stock guard."""
    from steadfast.accounting.readback import stock_read_back_all

    stock_read_back_all()


@db_periodic_task(crontab(minute="*"))
@lock_task("accounting-watch")
def accounting_watch_task():
    """A backlog older than ACCOUNTING_BACKLOG_ALERT_MINUTES: one staff alert when it starts, one when it clears."""
    from steadfast.accounting.backlog import accounting_watch

    accounting_watch()
