import math
import time

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from steadfast.providers.alerting import alerts_remind
from steadfast.providers.probes import providers_daily_test, providers_probe_due
from steadfast.providers.store import store

CRON_SECONDS = 60  # the minute crontab below comes anyway: no need to schedule a tick further away than this


def providers_probe_tick() -> float | None:
    """Run the probes that are due and the staff reminders; schedule the next tick when a probe falls due before
    the next minute's crontab (probes every PROBE_INTERVAL s, retries and trials within seconds).
    Returns when the next probe is due (epoch seconds)."""
    next_at = providers_probe_due().next_at
    alerts_remind()
    if next_at is not None:
        _schedule_tick(next_at)
    return next_at


def _schedule_tick(next_at):
    at = max(next_at, time.time() + 0.5)
    delay = at - time.time()
    if delay >= CRON_SECONDS:
        return
    # One scheduled tick per second slot, whatever the number of ticks and workers computing the same due time.
    if store.add(f"sf:probe:tick:{math.ceil(at)}", 1, delay + CRON_SECONDS):
        providers_probe_tick_task.schedule(delay=delay)


@db_periodic_task(crontab(minute="*"))
@lock_task("providers-probe")
def providers_probe_task():
    """Every minute: the safety net that (re)starts the tick chain, e.g. after every worker was restarted."""
    providers_probe_tick()


@db_task()
def providers_probe_tick_task():
    providers_probe_tick()


@db_periodic_task(crontab(hour="4", minute="17"))
@lock_task("providers-daily-test")
def providers_daily_test_task():
    """Once a day, a real test-mode operation per provider that defines adapter.daily_test (gateways issue)."""
    providers_daily_test()
