from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from steadfast.accounting.replay import accounting_sweep


@db_periodic_task(crontab(minute="*"))
@lock_task("accounting-sweep")
def accounting_sweep_task():
    _sweep()


@db_task()
@lock_task("accounting-sweep")
def accounting_sweep_next_task():
    _sweep()


def _sweep():
    """Replay each due target's backlog (one batch each); a full batch queues the next run at once, so a long
    backlog drains at ACCOUNTING_REPLAY_RATE instead of one batch a minute."""
    results = accounting_sweep()
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
