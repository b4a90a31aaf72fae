"""What a provider tells us after it took a message: delivered, or not (SMS delivery receipts, ESP bounces).

Callers verify the request first (signature, secret); these functions only believe a receipt about a message we
sent through that provider (the provider's message id is the reference of a "sent" DeliveryAttempt):
- delivered: the message row gets `delivered_at` and the attempt log a "delivered" line (once);
- not delivered (hard bounce, SMS failed/undelivered): the channel is refused for that message and the message goes
  back in the queue to carry on with its chain (SMS -> Telegram, e-mail -> SMS...). Repeated receipts change nothing.
A message sent to several numbers at once (staff phones) moves on only when every number failed: the others got it.
"""

import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from steadfast.notify.models import DeliveryAttempt, OutboxMessage
from steadfast.notify.timeline import timeline_note

log = logging.getLogger(__name__)
Outcome = DeliveryAttempt.Outcome


def sent_attempt(reference: str, provider: str = "") -> DeliveryAttempt | None:
    """The "sent" attempt whose provider message id is `reference` (one id of a comma-separated list)."""
    if not reference:
        return None
    match = Q(reference=reference) | Q(reference__startswith=f"{reference},") | \
        Q(reference__endswith=f",{reference}") | Q(reference__contains=f",{reference},")
    attempts = DeliveryAttempt.objects.filter(match, outcome=Outcome.SENT).select_related("message")
    if provider:
        attempts = attempts.filter(provider=provider)
    return attempts.order_by("-pk").first()


def receipt_delivered(attempt: DeliveryAttempt, reference: str, note: str = "") -> bool:
    """True when this receipt was news (the first one for this message id)."""
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().get(pk=attempt.message_id)
        if _already(message, attempt, reference):
            return False
        line = DeliveryAttempt.objects.create(message=message, channel=attempt.channel, provider=attempt.provider,
                                              outcome=Outcome.DELIVERED, reference=reference[:200],
                                              error=note[:500])
        if message.delivered_at is None and message.channel == attempt.channel:
            OutboxMessage.objects.filter(pk=message.pk).update(delivered_at=timezone.now())
        timeline_note(message, line)
    return True


def receipt_failed(attempt: DeliveryAttempt, reference: str, reason: str,
                   outcome: str = Outcome.UNDELIVERED) -> bool:
    """The provider could not deliver: record it; when nobody got the message, carry on with the next channel."""
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().get(pk=attempt.message_id)
        if _already(message, attempt, reference):
            return False
        line = DeliveryAttempt.objects.create(message=message, channel=attempt.channel, provider=attempt.provider,
                                              outcome=outcome, reference=reference[:200], error=reason[:500])
        timeline_note(message, line)
        ids = [part for part in attempt.reference.split(",") if part]
        failed = set(DeliveryAttempt.objects.filter(
            message=message, provider=attempt.provider, outcome__in=(Outcome.UNDELIVERED, Outcome.BOUNCED),
            reference__in=ids).values_list("reference", flat=True))
        if len(ids) > 1 and not set(ids) <= failed:
            return True  # another number of this message got it
        if message.status != OutboxMessage.Status.SENT or message.channel != attempt.channel:
            return True  # already moved on (or another channel carried it since)
        OutboxMessage.objects.filter(pk=message.pk).update(
            status=OutboxMessage.Status.PENDING, refused=[*message.refused, attempt.channel], step=0, step_tries=0,
            next_attempt_at=timezone.now(), sent_at=None, delivered_at=None, last_error=reason[:2000])
    log.warning("outbox: message %s not delivered on %s (%s); continuing its chain", message.pk, attempt.channel,
                reason)
    return True


def _already(message, attempt, reference) -> bool:
    """A receipt for this message id and provider was recorded before (providers repeat webhooks)."""
    return DeliveryAttempt.objects.filter(
        message=message, provider=attempt.provider, reference=reference[:200],
        outcome__in=(Outcome.DELIVERED, Outcome.UNDELIVERED, Outcome.BOUNCED)).exists()
