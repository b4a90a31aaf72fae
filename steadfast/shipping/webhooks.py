"""Carrier webhooks: /shipping/webhooks/<provider code>/<secret>/ (CDEK ORDER_STATUS, InPost ShipX status events).

Verified in two ways. (1) The URL carries the shop's secret (STEADFAST_<CODE>_WEBHOOK_SECRET, registered with the
carrier as part of the webhook URL; CDEK does not sign its webhooks): a delivery without it gets 403 and changes
nothing; without the variable the endpoint does not exist (404, and a warning naming the variable in the log).
A carrier that signs its deliveries (InPost: its adapter's `webhook_signature_header`) must also send the Base64
HMAC-SHA256 under that secret of the raw body, or of "<timestamp>.<raw body>" when it sends the adapter's
`webhook_timestamp_header` (InPost's two documented variants, chosen per client account): unsigned or forged gets
403 and changes nothing.
(2) The event's own status is never trusted: it only names a shipment, whose status is then read back from the
carrier through providers.call(). A forged event can at most cause one status read. Each event (carrier id, or
shipment + status + time) is recorded in the same transaction as its effect (payments.WebhookEvent, unique per
provider), so a redelivery changes nothing.
"""

import base64
import hashlib
import hmac
import logging
from functools import partial

from django.db import IntegrityError, transaction
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden, HttpResponseNotFound
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from steadfast.payments.models import WebhookEvent
from steadfast.payments.webhook_guard import webhook_guard
from steadfast.providers.call import call
from steadfast.providers.errors import ProviderError
from steadfast.providers.models import Provider
from steadfast.providers.registry import adapter_for
from steadfast.providers.secrets import provider_secret
from steadfast.shipping.models import Shipment
from steadfast.shipping.tracking import shipment_status_apply

log = logging.getLogger(__name__)
MAX_BODY = 64 * 1024


class _Duplicate(Exception):
    pass


@csrf_exempt
@require_POST
def carrier_webhook(request, code, token):
    provider = Provider.objects.filter(kind=Provider.Kind.SHIPPING, code=code).first()
    secret = provider_secret(provider, "WEBHOOK_SECRET") if provider else ""
    if not secret:
        if provider is not None:  # the carrier is set up but its webhooks are not: say what is missing
            log.warning("carrier webhook for %s refused: STEADFAST_%s_WEBHOOK_SECRET is not set", code, code.upper())
        return HttpResponseNotFound("no webhooks for this carrier")
    if not hmac.compare_digest(token.encode(), secret.encode()):
        log.warning("carrier webhook for %s with a wrong secret: refused", code)
        return HttpResponseForbidden("forbidden")
    refused = webhook_guard(request, provider)  # rate limit per sender
    if refused is not None:
        return refused
    if len(request.body) > MAX_BODY:
        return HttpResponseBadRequest("too large")
    adapter = adapter_for(provider)
    if not signature_valid(adapter, secret, request):
        log.warning("carrier webhook for %s without a valid %s: refused", code, adapter.webhook_signature_header)
        return HttpResponseForbidden("forbidden")
    try:
        event = adapter.parse_webhook(request.body, request.headers)
    except ValueError as error:
        return HttpResponseBadRequest(f"unreadable: {error}")
    if event is None:
        return HttpResponse("ignored")  # an event type we do not use
    shipment = _shipment(provider, event)
    if shipment is None or not shipment.reference:
        log.info("carrier webhook for %s about an unknown shipment (%s): ignored", code, event.event_id)
        return HttpResponse("unknown shipment")
    if WebhookEvent.objects.filter(provider=provider, event_id=event.event_id).exists():
        return HttpResponse("already processed")
    try:
        info = call(provider, "status", partial(adapter.shipment_status, shipment.reference),
                    reference=shipment.order.number, background=True)
    except ProviderError as error:
        log.warning("carrier webhook for %s: status not read back now (%s); asking for a retry", code, error)
        response = HttpResponse("carrier unreachable, retry later", status=503)
        response["Retry-After"] = "60"
        return response
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    WebhookEvent.objects.create(provider=provider, event_id=event.event_id, kind="shipment")
            except IntegrityError:
                raise _Duplicate from None
            shipment_status_apply(shipment.pk, info)
    except _Duplicate:
        return HttpResponse("already processed")
    return HttpResponse("ok")


def body_signature(secret: str, body: bytes, timestamp: str = "") -> str:
    """Base64 HMAC-SHA256 of the raw body, or of "<timestamp>.<body>": what InPost (and its fake) sends."""
    signed = f"{timestamp}.".encode() + body if timestamp else body
    return base64.b64encode(hmac.new(secret.encode(), signed, hashlib.sha256).digest()).decode()


def signature_valid(adapter, secret: str, request) -> bool:
    """True for a carrier that does not sign, else only for the body's own signature under the shop's secret."""
    header = adapter.webhook_signature_header
    if not header:
        return True
    given = request.headers.get(header, "").strip().encode()
    stamp_header = adapter.webhook_timestamp_header
    timestamp = request.headers.get(stamp_header, "").strip() if stamp_header else ""
    expected = [body_signature(secret, request.body)] + ([body_signature(secret, request.body, timestamp)]
                                                         if timestamp else [])
    return bool(given) and any(hmac.compare_digest(given, option.encode()) for option in expected)


def _shipment(provider, event) -> Shipment | None:
    shipments = Shipment.objects.filter(provider=provider).select_related("order")
    if event.reference:
        found = shipments.filter(reference=event.reference).first()
        if found is not None:
            return found
    return shipments.filter(order__number=event.number).first() if event.number else None
