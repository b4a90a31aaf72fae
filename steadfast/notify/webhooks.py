"""Delivery and bounce webhooks from an ESP (django-anymail), verified before anything is believed.

POST /notify/webhooks/<provider code>/ — the ESP's tracking webhook, checked by anymail against the provider's secret
STEADFAST_<CODE>_WEBHOOK_SECRET ("user:password" basic auth for Postmark; anymail verifies the signature for ESPs
that sign). A hard bounce or rejection of a message we sent means it never reached the person: the e-mail channel
is marked refused for that message and it goes back in the queue to continue its chain (SMS, Telegram...).
Only ESPs anymail supports; the adapter key is taken from the provider's backend ("anymail.backends.postmark...").
"""

import logging

from anymail.signals import tracking
from django.db import transaction
from django.http import Http404, HttpResponseForbidden
from django.utils import timezone
from django.utils.module_loading import import_string
from django.views.decorators.csrf import csrf_exempt

from steadfast.notify.models import DeliveryAttempt, OutboxMessage
from steadfast.providers.models import Provider
from steadfast.providers.secrets import provider_secret

log = logging.getLogger(__name__)
BOUNCES = {"bounced", "rejected", "failed"}


@csrf_exempt
def esp_webhook(request, code):
    provider = Provider.objects.filter(code=code, kind=Provider.Kind.NOTIFY).first()
    backend = str((provider.config or {}).get("backend", "")) if provider else ""
    if not backend.startswith("anymail.backends."):
        raise Http404
    secret = provider_secret(provider, "webhook_secret")
    if not secret:  # never accept unverifiable events
        return HttpResponseForbidden("webhook secret not configured")
    esp = backend.split(".")[2]  # anymail.backends.postmark.EmailBackend -> postmark
    view_class = import_string(f"anymail.webhooks.{esp}.{esp.capitalize()}TrackingWebhookView")
    verified = type("VerifiedView", (view_class,), {"webhook_secret": None})
    return verified.as_view(webhook_secret=secret)(request)


def message_bounced(sender, event, esp_name, **kwargs):
    """Receiver for anymail's tracking signal (sent only after the request was verified)."""
    if event.event_type not in BOUNCES or not event.message_id:
        return
    attempt = DeliveryAttempt.objects.filter(reference=str(event.message_id), outcome="sent").first()
    if attempt is None:
        return
    reason = f"{esp_name} {event.event_type}: {event.reject_reason or ''} {event.description or ''}".strip()
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().get(pk=attempt.message_id)
        if message.status != OutboxMessage.Status.SENT or message.channel != attempt.channel:
            return
        DeliveryAttempt.objects.create(message=message, channel=attempt.channel, provider=attempt.provider,
                                       outcome=DeliveryAttempt.Outcome.BOUNCED, error=reason[:500])
        OutboxMessage.objects.filter(pk=message.pk).update(
            status=OutboxMessage.Status.PENDING, refused=[*message.refused, attempt.channel], step=0, step_tries=0,
            next_attempt_at=timezone.now(), sent_at=None, last_error=reason[:2000])
    log.warning("outbox: message %s bounced on %s; continuing its chain", message.pk, attempt.channel)


tracking.connect(message_bounced, dispatch_uid="notify-esp-bounces")
