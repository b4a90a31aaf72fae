"""Staff alerts about abuse (login lockouts, unusual stock reservations), delivered through the outbox as one row
for the whole staff, carried by the staff chain (notify.alerts.staff_alert_add), like provider outage alerts."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from steadfast.notify.alerts import staff_alert_add

KIND = "staff_security_alert"  # templates: security/templates/notify/staff_security_alert*.txt


def security_alert(*, key: str, subject: str, text: str, admin_path: str = "/admin/") -> None:
    """One alert to the staff; `key` makes repeats of the same event one alert."""
    payload = {"subject": subject, "text": text, "at": timezone.now().isoformat(),
               "admin_url": settings.SITE_URL.rstrip("/") + admin_path}
    with transaction.atomic():  # the outbox refuses rows outside a transaction; a lockout has no row of ours
        staff_alert_add(key=f"security:{key}", kind=KIND, payload=payload)
