"""Staff alerts reach staff through the outbox: staff_alert_add() is the one way to write one.

An alert is one outbox row for the whole staff (not one per person), carried by the staff chain (Telegram group →
on-call phones by SMS → e-mail → Apprise URLs, editable in the admin), so an outage makes one message.
It is written in the transaction of its cause: a provider's alert episode (providers/alerting.py: out, reminders,
back, switched off), an alarm row (notify/watch.py, shipping/watch.py), an incident staff opened, and so on.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from steadfast.notify.outbox import OutboxOutsideTransaction, in_callers_transaction, outbox_add


def staff_alert_recipients() -> list[str]:
    """STAFF_ALERT_EMAILS, or else every active superuser with an e-mail address."""
    if settings.STAFF_ALERT_EMAILS:
        return list(settings.STAFF_ALERT_EMAILS)
    users = get_user_model().objects.filter(is_active=True, is_superuser=True).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


def staff_addresses() -> dict:
    """Where the staff chain can reach staff, per channel type."""
    found = {
        "telegram": settings.STAFF_ALERT_TELEGRAM_CHAT,
        "sms": list(settings.STAFF_ALERT_PHONES),
        "email": staff_alert_recipients(),
        "apprise": "staff",  # the Apprise provider's own URLs are the addresses
    }
    return {kind: value for kind, value in found.items() if value}


def staff_alert_add(*, key: str, kind: str = "staff_alert", payload: dict) -> None:
    """One alert to the staff, written in the caller's transaction (OutboxOutsideTransaction otherwise).
    `key` dedupes: the same key twice is one alert. `kind` names the templates (notify/<kind>*.txt) and starts
    with "staff_" so the staff chain carries it."""
    if not in_callers_transaction():
        raise OutboxOutsideTransaction(f"staff alert {key!r} outside the transaction of its cause")
    addresses = staff_addresses()
    with transaction.atomic():  # a savepoint: a failure here never breaks the caller's transaction
        outbox_add(key=key, kind=kind, recipient=", ".join(addresses.get("email", [])) or "staff",
                   payload={"language": settings.LANGUAGE_CODE, **payload}, addresses=addresses)  # the shop's language

