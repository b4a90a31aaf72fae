from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from steadfast.status.incidents import incidents_sync
from steadfast.status.services import shop_mode_tick


@db_periodic_task(crontab(minute="*"))
@lock_task("status-tick")
def status_tick_task():
    """Every minute: scheduled mode windows, then incidents from provider health. The lock keeps several
    workers from opening the same incident twice (the unique constraint is the second guard)."""
    shop_mode_tick()
    incidents_sync()
