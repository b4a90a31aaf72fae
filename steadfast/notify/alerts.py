"""Staff alerts reach staff through the outbox: staff_alert_add() is the one way to write one.

Every alert is an alert page (steadfast/oncall/pages.py): with nobody on the on-call rota it is one outbox row for
the whole staff, carried by the staff chain (Telegram group → on-call phones by SMS → e-mail → Apprise URLs,
editable in the admin), so an outage makes one message; with people on the rota it goes to the person on call
first and escalates until someone acknowledges it. Every message of a page still paging carries an acknowledge link.
It is written in the transaction of its cause: a provider's alert episode (providers/alerting.py: out, reminders,
back, switched off), an alarm row (notify/watch.py, shipping/watch.py), an incident staff opened, and so on.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from steadfast.notify.models import OutboxMessage
from steadfast.notify.outbox import OutboxOutsideTransaction, in_callers_transaction


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


def staff_alert_add(*, key: str, kind: str = "staff_alert", payload: dict, critical: bool | None = None) -> None:
    """One alert to the staff, written in the caller's transaction (OutboxOutsideTransaction otherwise).
    `key` dedupes: the same key twice is one alert. `kind` names the templates (notify/<kind>*.txt) and starts
    with "staff_" so the staff chain carries it. `critical` (default: oncall/policy.py decides) pages people in
    their quiet hours too."""
    if not in_callers_transaction():
        raise OutboxOutsideTransaction(f"staff alert {key!r} outside the transaction of its cause")
    from steadfast.oncall.pages import page_open  # oncall builds on notify's outbox

    try:
        with transaction.atomic():  # a savepoint: a failure here never breaks the caller's transaction
            if OutboxMessage.objects.filter(key=key).exists():
                return  # written before (the page's first message keeps the alert's key)
            page_open(key=key, kind=kind, critical=critical,
                      payload={"language": settings.LANGUAGE_CODE, **payload})  # the shop's language
    except IntegrityError:  # another process wrote the same alert a moment ago: it is one alert
        return
