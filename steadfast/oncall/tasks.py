from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from steadfast.oncall.pages import pages_escalate


@db_periodic_task(crontab(minute="*"))
@lock_task("oncall-escalate")
def pages_escalate_task():
    """Alert pages nobody acknowledged for ONCALL_ESCALATE_MINUTES: the next person in the rota, then everyone."""
    pages_escalate()
