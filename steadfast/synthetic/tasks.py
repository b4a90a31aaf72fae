from django.conf import settings
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from steadfast.synthetic.models import SyntheticRun
from steadfast.synthetic.services import synthetic_checkout_round


@db_periodic_task(crontab(minute="*"))
@lock_task("synthetic-checkout")  # several workers: one round at a time
def synthetic_checkout_task():
    """Every minute: a synthetic checkout round when SYNTHETIC_CHECKOUT_MINUTES have passed since the last one."""
    minutes = settings.SYNTHETIC_CHECKOUT_MINUTES
    if not minutes:
        return
    last = SyntheticRun.objects.values_list("started_at", flat=True).first()
    if last is None or (timezone.now() - last).total_seconds() >= minutes * 60 - 30:
        synthetic_checkout_round()
