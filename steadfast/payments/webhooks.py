"""Provider webhooks: /payments/webhooks/<provider code>/.

The adapter verifies the signature (timestamp within ±300 s both ways) and translates the event; the event id is
recorded in the same transaction as its effect, so each event changes things once. Forged, stale or unreadable
events get 400 and change nothing. An event already processed (a redelivery after our 200 was lost, a provider
retrying) gets 200 and changes nothing: gateways resend non-2xx answers for days and then switch the endpoint off.
A refund the event makes due is made after the commit.
"""

import logging
import uuid
from functools import partial

from django.db import IntegrityError, transaction
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseNotFound
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from steadfast.payments.interface import PaymentState, WebhookRejected
from steadfast.payments.models import Payment, WebhookEvent
from steadfast.payments.services import (
    payment_apply_status,
    payment_confirm,
    payment_record_success,
    payment_refund,
)
from steadfast.payments.webhook_guard import webhook_guard
from steadfast.providers.call import call
from steadfast.providers.errors import ProviderError
from steadfast.providers.models import Provider
from steadfast.providers.registry import adapter_for

log = logging.getLogger(__name__)
MAX_BODY = 256 * 1024


class _Duplicate(Exception):
    pass


@csrf_exempt
@require_POST
def webhook(request, code):
    provider = Provider.objects.filter(kind=Provider.Kind.PAYMENT, code=code).first()
    gateway = adapter_for(provider) if provider else None
    if gateway is None or not any(callable(getattr(gateway, name, None)) for name in ("parse_webhook", "read_webhook")):
        return HttpResponseNotFound("unknown provider")
    refused = webhook_guard(request, provider)  # cheap local checks before any verification call
    if refused is not None:
        return refused
    if len(request.body) > MAX_BODY:
        return HttpResponseBadRequest("too large")
    try:
        event = _event_from(provider, gateway, request)
    except WebhookRejected as error:
        log.warning("webhook for %s rejected: %s", code, error)
        return HttpResponseBadRequest(f"rejected: {error}")
    except ProviderError as error:
        # Verifying needed the provider's API (PayPal verify, YooKassa re-read) and it did not answer: ask the
        # provider to send the event again later instead of guessing.
        log.warning("webhook for %s not verified now (%s); asking for a retry", code, error)
        response = HttpResponse("provider unreachable, retry later", status=503)
        response["Retry-After"] = "60"
        return response
    payment = _payment_for(provider, event)
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    WebhookEvent.objects.create(provider=provider, event_id=event.id[:120], kind=event.kind[:80],
                                                payment=payment)
            except IntegrityError:
                raise _Duplicate from None
            refund = False
            if payment is not None and event.status is not None:
                if event.status.state == PaymentState.SUCCEEDED:
                    refund = payment_record_success(payment, event.status)
                else:
                    payment_apply_status(payment, event.status)
    except _Duplicate:
        log.info("webhook for %s: event %s already processed; answered 200, nothing changed", code, event.id)
        return HttpResponse("already processed")
    if payment is not None and event.status is None and payment.state in (Payment.State.PENDING,
                                                                           Payment.State.UNKNOWN):
        # An event without a state of its own (PayPal CHECKOUT.ORDER.APPROVED: the customer approved, nothing is
        # captured yet) is news that the attempt moved: settle it now by status query, as the customer's return
        # would, so a customer who never comes back is still paid without waiting for reconciliation.
        try:
            payment_confirm(payment)
        except ProviderError as error:
            log.warning("payment %s not settled after %s (%s); reconciliation asks again", payment.pk, event.kind,
                        error)
    if refund:
        try:
            payment_refund(payment)
        except ProviderError as error:
            log.warning("refund of payment %s failed (%s); the reconciliation job retries it", payment.pk, error)
    return HttpResponse("ok")


def _event_from(provider, gateway, request):
    """Adapters that must ask the provider whether an event is genuine (PayPal) split the work: read_webhook checks
    and translates without I/O, verify_webhook asks the provider and runs through call() here (adapters never call
    call() themselves)."""
    if not callable(getattr(gateway, "read_webhook", None)):
        return gateway.parse_webhook(request.body, request.headers)
    event, question = gateway.read_webhook(request.body, request.headers)
    if not call(provider, "webhook", partial(gateway.verify_webhook, question), reference=event.id[:100]):
        raise WebhookRejected(f"{provider.name} did not confirm the signature")
    return event


def _payment_for(provider, event):
    try:
        key = uuid.UUID(event.payment_key)
    except ValueError:
        key = None
    payments = Payment.objects.filter(provider=provider).select_related("order", "provider")
    if key is not None:
        found = payments.filter(key=key).first()
        if found is not None:
            return found
    return payments.filter(reference=event.reference).first() if event.reference else None
