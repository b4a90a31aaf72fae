"""An alert page's history for the admin: its own events (paged, escalated, acknowledged, told, resolved) merged
with what happened to each message that carried it (sent on which channel, delivered by receipt, refused, failed),
from the outbox's delivery log (notify.DeliveryAttempt: the same rows receipts and bounces write)."""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from steadfast.notify.models import DeliveryAttempt, OutboxMessage
from steadfast.notify.timeline import CHANNEL_LABELS

Outcome = DeliveryAttempt.Outcome
PAGING = ("paged", "escalated", "everyone")  # the events whose message paged someone


@dataclass(frozen=True)
class Line:
    at: datetime
    what: str
    who: str
    detail: str = ""
    message_id: int | None = None
    tone: str = ""  # "good" / "bad": how the admin colours it


def page_history(page) -> list[Line]:
    lines = []
    for event in page.events.select_related("message"):
        lines.append(Line(event.at, event.get_action_display(), event.note,
                          _message_state(event.message), event.message_id,
                          "good" if event.action in ("acknowledged", "resolved") else ""))
        if event.message is not None:
            lines += _deliveries(event.message, event.note)
    return sorted(lines, key=lambda line: line.at)


def page_delivery_counts(page) -> tuple[int, int, int]:
    """(messages, sent, delivered) of the messages that paged people for this alert. Read from page.events.all(),
    so a list that prefetches the events with their messages (admin_pages.py) counts every row without a query."""
    paged = [event.message for event in page.events.all()
             if event.action in PAGING and event.message is not None]
    messages = list({message.pk: message for message in paged}.values())
    sent = [message for message in messages if message.status == OutboxMessage.Status.SENT]
    return len(messages), len(sent), sum(message.delivered_at is not None for message in sent)


def _deliveries(message, who) -> list[Line]:
    lines = []
    for attempt in message.deliveries.exclude(outcome=Outcome.SENDING):
        channel = CHANNEL_LABELS.get(attempt.channel, attempt.channel)
        tone = {Outcome.SENT: "good", Outcome.DELIVERED: "good", Outcome.REFUSED: "bad", Outcome.FAILED: "bad",
                Outcome.ERROR: "bad", Outcome.BOUNCED: "bad", Outcome.UNDELIVERED: "bad"}.get(attempt.outcome, "")
        detail = f"{channel} ({attempt.provider})" + (f": {attempt.error}" if attempt.error else "")
        lines.append(Line(attempt.created_at, attempt.get_outcome_display(), who, detail, message.pk, tone))
    return lines


def _message_state(message) -> str:
    if message is None:
        return ""
    return _("message #%(id)s: %(status)s") % {"id": message.pk, "status": message.get_status_display()}
