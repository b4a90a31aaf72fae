from django.conf import settings
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from steadfast.synthetic.models import SyntheticRun
from steadfast.synthetic.services import checkout_health, synthetic_checkout_round

RETRY_MINUTES = 2


@db_periodic_task(crontab(minute="*"))
@lock_task("synthetic-checkout")  # several workers: one round at a time
def synthetic_checkout_task():
    """Every minute: a synthetic checkout round when SYNTHETIC_CHECKOUT_MINUTES have passed since the last one, or
    RETRY_MINUTES when the last round had a failure (a recovery shows within minutes, not at the next round)."""
    minutes = settings.SYNTHETIC_CHECKOUT_MINUTES
    if not minutes:
        return
    last = SyntheticRun.objects.values_list("started_at", flat=True).first()
    if checkout_health().get("ok") is False:
        minutes = min(minutes, RETRY_MINUTES)
    if last is None or (timezone.now() - last).total_seconds() >= minutes * 60 - 30:
        synthetic_checkout_round()
