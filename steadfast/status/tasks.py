from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from steadfast.status.banner import banner_auto_refresh
from steadfast.status.incidents import incidents_sync
from steadfast.status.policies import policies_evaluate
from steadfast.status.services import shop_mode_tick


@db_periodic_task(crontab(minute="*"))
@lock_task("status-tick")
def status_tick_task():
    """Every minute: scheduled mode windows, then incidents from provider health. The lock keeps several
    workers from opening the same incident twice (the unique constraint is the second guard). Policies run
    after incidents so a policy's incident is opened first only when the policy fires before the provider's own
    incident is due (then the provider's incident is not opened: one outage, one incident)."""
    shop_mode_tick()
    incidents_sync()
    policies_evaluate()
    banner_auto_refresh()  # the automatic banner text, so no shopper's request ever rebuilds it


@db_periodic_task(crontab(minute="*"))
@lock_task("status-origin-check")
def status_origin_check_task():
    """Every minute: is the website answering? The record behind the website's uptime bars."""
    from steadfast.status.origin import origin_check_record, origin_checks_prune
    from steadfast.status.uptime import uptime_warm

    origin_check_record()
    origin_checks_prune()
    uptime_warm()  # the page's builds then only count today
