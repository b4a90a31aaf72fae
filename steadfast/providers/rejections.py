"""Requests a provider refused as wrong (errors.Rejected): not an outage, not the customer's card, but staff must
know, because only a person can fix our data or our code.

- An idempotency conflict (the provider saw our key with other parameters) is a bug: staff are alerted at once.
- Other rejections are alerted when they repeat: REPEATED of them at one provider within WINDOW (one alert per
  provider and window). A single odd order is visible on the provider health page (outcome "invalid_request").
"""

import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from steadfast.providers.errors import IdempotencyConflict
from steadfast.providers.models import Attempt

log = logging.getLogger(__name__)
REPEATED = 3
WINDOW = timedelta(hours=1)


def rejection_noted(provider, operation, error, message, reference=""):
    """Called by providers.call after recording the attempt; writes a staff alert to the outbox when due."""
    now = timezone.now()
    if isinstance(error, IdempotencyConflict):
        log.error("%s %s for %s: idempotency conflict (a replay differed from the first request): %s",
                  provider.code, operation, reference, message)
        staff_problem_alert(f"idempotency:{provider.code}:{operation}:{reference or now.isoformat()}", provider,
                            "A replayed request differed from the first one (idempotency conflict)",
                            message, reference)
        return
    since = now - WINDOW
    recent = Attempt.objects.filter(provider=provider, outcome=Attempt.Outcome.INVALID_REQUEST, created_at__gte=since)
    count = recent.count()
    log.warning("%s %s for %s refused as a wrong request (%d within %s): %s", provider.code, operation, reference,
                count, WINDOW, message)
    if count >= REPEATED:
        bucket = int(now.timestamp() // WINDOW.total_seconds())
        staff_problem_alert(f"rejected:{provider.code}:{bucket}", provider,
                            f"{count} requests refused as wrong within {int(WINDOW.total_seconds() // 60)} minutes",
                            message, reference)


def staff_problem_alert(key, provider, title, detail, reference=""):
    """One staff e-mail per key (outbox rows are unique by key): a problem only a person can fix."""
    from steadfast.notify.alerts import staff_alert_add

    payload = {"provider": provider.name, "code": provider.code, "title": title, "detail": detail[:500],
               "reference": str(reference), "at": timezone.now().isoformat(),
               "admin_url": settings.SITE_URL.rstrip("/") + "/admin/providers/providerhealth/"}
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]
    with transaction.atomic():  # no cause row to share a transaction with: the alert is its own
        staff_alert_add(key=f"staff_problem:{digest}", kind="staff_problem", payload=payload)
