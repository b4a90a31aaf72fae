"""Delivery and bounce webhooks from an ESP (django-anymail), verified before anything is believed.

POST /notify/webhooks/<provider code>/ — the ESP's tracking webhook, checked by anymail against the provider's secret
STEADFAST_<CODE>_WEBHOOK_SECRET: the "user:password" of the webhook's basic auth (Postmark and the ESPs that do not
sign), or the webhook signing key for ESPs that sign (Mailgun: HMAC-SHA256 of timestamp + token; we also refuse a
timestamp more than WEBHOOK_TOLERANCE seconds off, which anymail does not check). A hard bounce or rejection of a
message we sent means it never reached the person: the e-mail channel is refused for that message and it goes back
in the queue to continue its chain (SMS, Telegram...); "delivered" is recorded on the message (notify/receipts.py).
Only ESPs anymail supports; the adapter key is taken from the provider's backend ("anymail.backends.postmark...").
"""

import json
import time

from anymail.signals import tracking
from django.http import Http404, HttpResponseForbidden
from django.utils.module_loading import import_string
from django.views.decorators.csrf import csrf_exempt

from steadfast.notify.models import DeliveryAttempt
from steadfast.notify.receipts import receipt_delivered, receipt_failed, sent_attempt
from steadfast.providers.models import Provider
from steadfast.providers.secrets import provider_secret

BOUNCES = {"bounced", "rejected", "failed"}
SIGNING_ESPS = {"mailgun": "webhook_signing_key"}  # ESPs whose webhooks anymail checks by signature
WEBHOOK_TOLERANCE = 300


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
    if esp in SIGNING_ESPS:
        if not _fresh(request):
            return HttpResponseForbidden("webhook timestamp too old or missing")
        return view_class.as_view(**{SIGNING_ESPS[esp]: secret})(request)
    verified = type("VerifiedView", (view_class,), {"webhook_secret": None})
    return verified.as_view(webhook_secret=secret)(request)


def _fresh(request) -> bool:
    """A signed event's own timestamp within ±WEBHOOK_TOLERANCE s: a captured request cannot be replayed later."""
    try:
        stamp = json.loads(request.body)["signature"]["timestamp"]
        return abs(time.time() - float(stamp)) <= WEBHOOK_TOLERANCE
    except (ValueError, KeyError, TypeError):
        return False


def esp_event(sender, event, esp_name, **kwargs):
    """Receiver for anymail's tracking signal (sent only after the request was verified)."""
    if not event.message_id:
        return
    attempt = sent_attempt(str(event.message_id))
    if attempt is None or attempt.channel != "email":
        return
    if event.event_type == "delivered":
        receipt_delivered(attempt, str(event.message_id))
    elif event.event_type in BOUNCES:
        reason = f"{esp_name} {event.event_type}: {event.reject_reason or ''} {event.description or ''}".strip()
        receipt_failed(attempt, str(event.message_id), reason, outcome=DeliveryAttempt.Outcome.BOUNCED)


tracking.connect(esp_event, dispatch_uid="notify-esp-bounces")
