from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task
from huey.signals import SIGNAL_ENQUEUED

from steadfast.heartbeat.beats import heartbeat_record


@db_periodic_task(crontab(minute="*"))
def heartbeat_task():
    """Every minute, run by a worker: the worker beat (no lock: every worker that gets it proves it runs)."""
    heartbeat_record("worker")


@HUEY.signal(SIGNAL_ENQUEUED)
def _scheduler_beat(signal, task, *args, **kwargs):
    # The scheduler enqueues periodic tasks in the consumer process; this enqueue is its beat.
    if isinstance(task, heartbeat_task.task_class):
        heartbeat_record("scheduler")
