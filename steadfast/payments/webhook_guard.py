"""Cheap checks before a webhook may cost anything: no outbound call, no Attempt row, for what is plainly not ours.

PayPal and YooKassa webhooks are verified by asking the provider (PayPal's verify endpoint, YooKassa's payment
read). Left alone, every forged delivery made the shop call the gateway. So the view first refuses, locally:
floods from one address (RATELIMIT_WEBHOOK per provider), deliveries without the provider's headers, stale
timestamps, a certificate URL on a host that is not the provider's, unknown event types, and events about a payment
this shop never started. Only what passes reaches the adapter's parse_webhook (and its verification call).
"""

import json
import logging
import time
import uuid
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest
from django_ratelimit.core import is_ratelimited

from steadfast.payments.models import Payment
from steadfast.security.clientip import client_address

log = logging.getLogger(__name__)

TOLERANCE = 300  # seconds both ways, as the adapters check
PAYPAL_HEADERS = ("Paypal-Transmission-Id", "Paypal-Transmission-Time", "Paypal-Transmission-Sig", "Paypal-Cert-Url",
                  "Paypal-Auth-Algo")
PAYPAL_CERT_HOSTS = {"api.paypal.com", "api-m.paypal.com", "api.sandbox.paypal.com", "api-m.sandbox.paypal.com"}
PAYPAL_EVENTS = {"CHECKOUT.ORDER.APPROVED", "CHECKOUT.ORDER.COMPLETED", "PAYMENT.CAPTURE.COMPLETED",
                 "PAYMENT.CAPTURE.PENDING", "PAYMENT.CAPTURE.DENIED", "PAYMENT.CAPTURE.DECLINED",
                 "PAYMENT.CAPTURE.REFUNDED"}
YOOKASSA_EVENTS = {"payment.waiting_for_capture", "payment.succeeded", "payment.canceled", "refund.succeeded"}
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class Refused(Exception):
    def __init__(self, reason, status=400):
        super().__init__(reason)
        self.status = status


def webhook_rate(group, request):
    return settings.RATELIMIT_WEBHOOK


def webhook_guard(request, provider, now: float | None = None) -> HttpResponse | None:
    """None when the delivery may go on to the adapter; otherwise the answer to send (nothing else happens)."""
    if is_ratelimited(request, group=f"webhook:{provider.code}", key="ip", rate=webhook_rate, increment=True):
        log.warning("webhook for %s from %s: rate limited", provider.code, client_address(request))
        response = HttpResponse("too many requests", status=429)
        response["Retry-After"] = "60"
        return response
    check = CHECKS.get(provider.adapter)
    if check is None:
        return None  # Stripe and others verify locally (HMAC): nothing outbound to protect
    try:
        check(request, provider, time.time() if now is None else now)
    except Refused as refused:
        log.warning("webhook for %s from %s refused before verification: %s", provider.code,
                    client_address(request), refused)
        if refused.status == 200:
            # Well-formed but not about anything of ours: acknowledge so that a real provider stops resending.
            return HttpResponse(f"ignored: {refused}")
        return HttpResponseBadRequest(f"rejected: {refused}")
    return None


def _json(body):
    try:
        data = json.loads(body)
    except ValueError:
        raise Refused("unreadable body") from None
    if not isinstance(data, dict):
        raise Refused("unreadable body")
    return data


def _known(provider, keys=(), references=()) -> bool:
    uuids = []
    for key in keys:
        try:
            uuids.append(uuid.UUID(str(key)))
        except ValueError:
            continue
    references = [r for r in references if isinstance(r, str) and 0 < len(r) <= 120]
    if not uuids and not references:
        return False
    payments = Payment.objects.filter(provider=provider)
    return payments.filter(key__in=uuids).exists() or payments.filter(reference__in=references).exists()


def _paypal(request, provider, now):
    if not all(request.headers.get(name) for name in PAYPAL_HEADERS):
        raise Refused("missing PayPal transmission headers")
    try:
        sent = datetime.fromisoformat(request.headers["Paypal-Transmission-Time"].replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise Refused("unreadable transmission time") from None
    if abs(now - sent) > TOLERANCE:
        raise Refused("transmission time outside the tolerance")
    cert = urlsplit(request.headers["Paypal-Cert-Url"])
    api_host = urlsplit(provider.config.get("api_base", "")).hostname
    allowed = PAYPAL_CERT_HOSTS | set(provider.config.get("webhook_cert_hosts", [])) | ({api_host} - {None})
    secure = cert.scheme == "https" or (cert.scheme == "http" and cert.hostname in LOOPBACK)
    if not secure or cert.hostname not in allowed:
        raise Refused("certificate URL is not on a PayPal host")
    event = _json(request.body)
    kind, resource = event.get("event_type"), event.get("resource")
    if kind not in PAYPAL_EVENTS or not isinstance(resource, dict):
        raise Refused("event type not handled", status=200)
    related = (resource.get("supplementary_data") or {}).get("related_ids") if isinstance(
        resource.get("supplementary_data"), dict) else None
    units = resource.get("purchase_units") if isinstance(resource.get("purchase_units"), list) else []
    keys = [resource.get("custom_id")] + [u.get("custom_id") for u in units if isinstance(u, dict)]
    references = [resource.get("id"), related.get("order_id") if isinstance(related, dict) else None]
    if not _known(provider, keys, references):
        raise Refused("no such payment here", status=200)


def _yookassa(request, provider, now):
    note = _json(request.body)
    obj = note.get("object")
    if note.get("type") != "notification" or not isinstance(obj, dict):
        raise Refused("unreadable notification")
    kind = note.get("event")
    if kind not in YOOKASSA_EVENTS:
        raise Refused("event type not handled", status=200)
    payment_id = obj.get("payment_id") if str(kind).startswith("refund.") else obj.get("id")
    metadata = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    if not _known(provider, [metadata.get("payment_key")], [payment_id]):
        raise Refused("no such payment here", status=200)


CHECKS = {"paypal": _paypal, "yookassa": _yookassa}
