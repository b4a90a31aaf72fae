"""Deliver one outbox message: walk its fallback chain until one channel carries it.

For each channel type of the chain (notify/chains.py) that the person has an address for, the providers of that
type are tried in priority order, each through providers.call() (breaker, timeouts, Attempt row):
- sent: the message is done; no other channel is tried, now or later (one row per person and dedupe key);
- breaker open or provider disabled: skipped at once, next provider;
- Declined (bad address, bot blocked, invalid number): that channel type is refused for this message for good,
  next channel type;
- Unavailable / Indeterminate / Misconfigured: next provider of the type; if none carried it, the same channel is
  retried after a backoff (OUTBOX_CHANNEL_TRIES runs in all), then the chain moves on.
A run that ends without delivery is an attempt (backoff with jitter, dead letter after OUTBOX_MAX_ATTEMPTS or
OUTBOX_MAX_AGE_HOURS). Every try is a DeliveryAttempt row, and on an order's timeline.

Any other error (a missing template, a bug) is recorded on the message and never stops the messages behind it.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.utils import timezone

from steadfast.notify.campaigns import PROMOTIONAL_KINDS, campaign_message_hold, shop_closed_reason
from steadfast.notify.chains import chain_for, channel_providers
from steadfast.notify.channels.base import Outgoing, addresses
from steadfast.notify.models import DeliveryAttempt, OutboxMessage
from steadfast.notify.outbox import LeaseLost, outbox_claim, outbox_lease_renew, outbox_mark_failed, outbox_mark_sent
from steadfast.notify.preferences import chain_for_person
from steadfast.notify.render import message_render
from steadfast.notify.timeline import timeline_note
from steadfast.providers.call import call
from steadfast.providers.errors import BreakerOpen, Declined, ProviderError
from steadfast.providers.registry import adapter_for

log = logging.getLogger(__name__)
Outcome = DeliveryAttempt.Outcome
REFUSED, TEMPORARY, SKIPPED = "refused", "temporary", "skipped"


def outbox_deliver(message_id) -> bool:
    started = timezone.now()
    message = outbox_claim(message_id)
    if message is None:
        return False
    try:
        return _deliver(message)
    except LeaseLost as lost:
        log.warning("outbox: %s; another worker carries on", lost)
        return False
    except TemplateDoesNotExist as error:
        outbox_mark_failed(message, f"missing template: {error}", permanent=True)
        return False
    except Exception as error:  # noqa: BLE001  a bug in one message must not hold up the others: record it, go on
        log.exception("outbox: message %s failed with an unexpected error", message.pk)
        description = f"{type(error).__name__}: {error}"
        # The try this run left "sending" ended in the error, not in a crash of the worker.
        DeliveryAttempt.objects.filter(message=message, outcome=Outcome.SENDING, created_at__gte=started).update(
            outcome=Outcome.ERROR, error=description[:500])
        outbox_mark_failed(message, description, step=message.step)
        return False


def _deliver(message: OutboxMessage) -> bool:
    if message.kind in PROMOTIONAL_KINDS:
        reason = shop_closed_reason()
        if reason:  # a promotion must never send customers to a dead shop: held until staff resume it
            campaign_message_hold(message, reason)
            return False
    chain, extra = chain_for_person(message, chain_for(message.kind))  # the customer's choice and linked chat
    message.addresses = {**extra, **message.addresses}
    reachable = [kind for kind in chain if addresses(message.addresses.get(kind))]
    if not reachable:
        outbox_mark_failed(message, f"no address for any channel of the chain ({', '.join(chain)})", permanent=True)
        return False
    step, tries, errors = message.step, message.step_tries, []
    while step < len(chain):
        kind = chain[step]
        if kind in reachable and kind not in message.refused:
            result, error = _try_channel(message, kind)
            if isinstance(result, DeliveryAttempt):  # sent: the log entry and the message change in one commit
                with transaction.atomic():
                    _finish(result, Outcome.SENT, reference=error)
                    return outbox_mark_sent(message, kind)
            errors.append(f"{kind}: {error}")
            if result == REFUSED:
                message.refused = [*message.refused, kind]
            elif result == TEMPORARY and tries + 1 < settings.OUTBOX_CHANNEL_TRIES:
                outbox_mark_failed(message, "; ".join(errors), step=step, step_tries=tries + 1)
                return False
        step, tries = step + 1, 0
    every_channel_refused = all(kind in message.refused for kind in reachable)
    outbox_mark_failed(message, "; ".join(errors) or "no channel available", permanent=every_channel_refused)
    return False


def _try_channel(message, kind) -> tuple[str | DeliveryAttempt, str]:
    """Offer the message to each provider of one channel type: (the attempt that sent it, the provider's message
    id) or (result, error)."""
    rendered = message_render(message, kind)
    outgoing = Outgoing(key=message.key, to=addresses(message.addresses.get(kind)), subject=rendered.subject,
                        text=rendered.text, html=rendered.html, language=message.payload.get("language") or "en",
                        headers=_list_headers(message.payload))
    result, last_error = SKIPPED, "no provider for this channel"
    for provider in channel_providers(kind):
        if not provider.enabled:
            _log(message, kind, provider, Outcome.SKIPPED, "disabled by staff")
            continue
        with transaction.atomic():  # one commit: the lease is still ours, and the log says we are sending
            outbox_lease_renew(message)
            attempt = _log(message, kind, provider, Outcome.SENDING)
        adapter = adapter_for(provider)
        try:
            reference = call(provider, "send", lambda client, a=adapter: a.send(client, outgoing),
                             reference=message.order.number if message.order else message.key)
        except BreakerOpen as error:
            _finish(attempt, Outcome.SKIPPED, error)
            last_error = str(error)
        except Declined as error:
            _finish(attempt, Outcome.REFUSED, error)
            return REFUSED, f"{provider.code} refused: {error}"
        except ProviderError as error:
            _finish(attempt, Outcome.FAILED, error)
            result, last_error = TEMPORARY, f"{provider.code} {type(error).__name__}: {error}"
        else:
            return attempt, str(reference or "")  # the provider's message id, for delivery/bounce webhooks
    return result, last_error


def _log(message, kind, provider, outcome, error="") -> DeliveryAttempt:
    attempt = DeliveryAttempt.objects.create(message=message, channel=kind, provider=provider.code, outcome=outcome,
                                             error=str(error)[:500])
    if outcome != Outcome.SENDING:
        timeline_note(message, attempt)
    return attempt


def _finish(attempt, outcome, error="", reference=""):
    attempt.outcome, attempt.error = outcome, str(error)[:500]
    DeliveryAttempt.objects.filter(pk=attempt.pk).update(outcome=outcome, error=attempt.error,
                                                         reference=reference[:200], created_at=timezone.now())
    timeline_note(attempt.message, attempt)


def _list_headers(payload) -> dict:
    """One-click unsubscribe (RFC 8058) for any message that carries its recipient's unsubscribe link."""
    url = payload.get("unsubscribe_url")
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"} if url else {}
