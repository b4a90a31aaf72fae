from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from steadfast.providers.probes import providers_daily_test, providers_probe


@db_periodic_task(crontab(minute="*"))
@lock_task("providers-probe")
def providers_probe_task():
    """Every minute; the lock keeps several workers (on several nodes with RedisHuey) from probing twice."""
    providers_probe()


@db_periodic_task(crontab(hour="4", minute="17"))
@lock_task("providers-daily-test")
def providers_daily_test_task():
    """Once a day, a real test-mode operation per provider that defines adapter.daily_test (gateways issue)."""
    providers_daily_test()
