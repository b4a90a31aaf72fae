"""SMS delivery receipts, verified the way each gateway signs them, then handed to notify/receipts.py.

Twilio: POST /notify/receipts/twilio/<code>/ (the StatusCallback we send with each message), form fields
MessageSid, MessageStatus (queued, sent, delivered, undelivered, failed), ErrorCode. Verified by X-Twilio-Signature:
base64(HMAC-SHA1(auth token, URL + every POST field name and value, sorted by name)); the URL is the one we gave
Twilio (SITE_URL + path), so a proxy in front of the shop does not change it.

SMS.ru: POST /notify/receipts/smsru/<code>/<secret>/ (set this URL as the callback in SMS.ru's account), fields
data[0], data[1]... each "sms_status\\n<sms id>\\n<status code>\\n<unix time>"; 103 delivered, 104-108 and 150 not
delivered, others in transit. SMS.ru does not sign callbacks: the URL carries STEADFAST_<CODE>_CALLBACK_SECRET,
and when the request has a "hash" field it must be sha256(api_id + every data entry). Answer "100" (SMS.ru repeats
anything else). Receipts about ids we did not send through that provider are ignored.
"""

import base64
import hashlib
import hmac

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from steadfast.notify.receipts import receipt_delivered, receipt_failed, sent_attempt
from steadfast.providers.models import Provider
from steadfast.providers.secrets import provider_secret

TWILIO_FAILED = {"undelivered", "failed"}
SMSRU_DELIVERED = 103
SMSRU_FAILED = {104: "expired", 105: "deleted by the operator", 106: "phone failure", 107: "unknown delivery error",
                108: "rejected", 150: "no route to this number"}


def _provider(code, adapter) -> Provider:
    provider = Provider.objects.filter(code=code, kind=Provider.Kind.NOTIFY, adapter=adapter).first()
    if provider is None:
        raise Http404
    return provider


def twilio_signature(auth_token: str, url: str, fields: dict[str, list[str]]) -> str:
    signed = url + "".join(name + value for name in sorted(fields) for value in fields[name])
    return base64.b64encode(hmac.new(auth_token.encode(), signed.encode(), hashlib.sha1).digest()).decode()


@csrf_exempt
@require_POST
def twilio_status(request, code):
    provider = _provider(code, "twilio")
    token = provider_secret(provider, "auth_token")
    url = settings.SITE_URL.rstrip("/") + request.get_full_path()
    expected = twilio_signature(token, url, {name: request.POST.getlist(name) for name in request.POST}) \
        if token else ""
    if not token or not hmac.compare_digest(request.headers.get("X-Twilio-Signature", ""), expected):
        return HttpResponseForbidden("signature does not match")
    sid, status = request.POST.get("MessageSid", ""), request.POST.get("MessageStatus", "")
    attempt = sent_attempt(sid, provider.code)
    if attempt is not None and status == "delivered":
        receipt_delivered(attempt, sid)
    elif attempt is not None and status in TWILIO_FAILED:
        receipt_failed(attempt, sid, f"Twilio {status} {request.POST.get('ErrorCode', '')}".strip())
    return HttpResponse(status=204)


@csrf_exempt
@require_POST
def smsru_callback(request, code, secret):
    provider = _provider(code, "smsru")
    expected = provider_secret(provider, "callback_secret")
    if not expected or not hmac.compare_digest(secret, expected):
        return HttpResponseForbidden("unknown callback address")
    entries = [request.POST[name] for name in sorted(request.POST, key=_index) if name.startswith("data[")]
    if "hash" in request.POST:
        digest = hashlib.sha256((provider_secret(provider, "api_id") + "".join(entries)).encode()).hexdigest()
        if not hmac.compare_digest(request.POST["hash"], digest):
            return HttpResponseForbidden("hash does not match")
    for entry in entries:
        lines = entry.split("\n")
        if len(lines) < 3 or lines[0] != "sms_status" or not lines[2].strip().isdigit():
            continue
        sms_id, status = lines[1].strip(), int(lines[2])
        attempt = sent_attempt(sms_id, provider.code)
        if attempt is not None and status == SMSRU_DELIVERED:
            receipt_delivered(attempt, sms_id)
        elif attempt is not None and status in SMSRU_FAILED:
            receipt_failed(attempt, sms_id, f"SMS.ru {status}: {SMSRU_FAILED[status]}")
    return HttpResponse("100", content_type="text/plain")


def _index(name: str) -> int:
    digits = name[len("data["):].rstrip("]")
    return int(digits) if digits.isdigit() else -1
