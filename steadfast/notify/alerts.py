"""Staff alerts: a provider going out, coming back, or being switched off reaches staff through the outbox.

Each alert is an outbox row, so it survives a worker restart and is retried like any customer message.
"""

from django.conf import settings
from django.contrib.auth import get_user_model

from steadfast.notify.outbox import outbox_add

OUT = {"open", "disabled"}
BACK = {"closed"}


def staff_alert_recipients() -> list[str]:
    """STAFF_ALERT_EMAILS, or else every active superuser with an e-mail address."""
    if settings.STAFF_ALERT_EMAILS:
        return list(settings.STAFF_ALERT_EMAILS)
    users = get_user_model().objects.filter(is_active=True, is_superuser=True).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


def staff_alert_health(sender, event=None, **kwargs):
    """Receiver for providers.signals.health_changed."""
    if event is None or not (event.to_state in OUT or (event.to_state in BACK and event.from_state != "closed")):
        return
    payload = {
        "provider": event.provider.name,
        "code": event.provider.code,
        "kind": event.provider.kind,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "reason": event.reason,
        "at": event.created_at.isoformat(),
        "admin_url": settings.SITE_URL.rstrip("/") + "/admin/providers/providerhealth/",
    }
    for recipient in staff_alert_recipients():
        outbox_add(
            key=f"staff_alert:health:{event.pk}:{recipient}", kind="staff_alert", recipient=recipient, payload=payload
        )
