"""Staff alerts about abuse (login lockouts, unusual stock reservations), delivered through the outbox."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from steadfast.notify.alerts import staff_alert_recipients
from steadfast.notify.outbox import outbox_add


def security_alert(*, key: str, subject: str, text: str, admin_path: str = "/admin/") -> int:
    """One outbox row per staff recipient; `key` makes repeats of the same event one alert. Returns rows added."""
    payload = {"subject": subject, "text": text, "at": timezone.now().isoformat(),
               "admin_url": settings.SITE_URL.rstrip("/") + admin_path}
    recipients = staff_alert_recipients()
    with transaction.atomic():  # the outbox refuses rows outside a transaction; a lockout has no row of ours
        for recipient in recipients:
            outbox_add(key=f"security:{key}:{recipient}", kind="security_alert", recipient=recipient, payload=payload)
    return len(recipients)
