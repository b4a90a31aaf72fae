"""Twilio Programmable Messaging: POST /2010-04-01/Accounts/<sid>/Messages.json (form data, basic auth).

Config: "api_base" (default https://api.twilio.com), "from_number" (or "messaging_service_sid").
Secrets: STEADFAST_<CODE>_ACCOUNT_SID, STEADFAST_<CODE>_AUTH_TOKEN. 400 with Twilio error codes for a bad or
unreachable number (21211, 21614, 21610, 21408, 21612) -> Declined; 401/403 -> Misconfigured; 429/5xx -> Unavailable.
Each message asks for delivery receipts at SITE_URL/notify/receipts/twilio/<code>/ (StatusCallback, see
notify/sms_receipts.py).
"""

from django.conf import settings
from django.urls import reverse

from steadfast.notify.channels.base import required_secret
from steadfast.providers.call import check_response, response_json
from steadfast.providers.errors import Declined, Misconfigured

NUMBER_REFUSED = {21211, 21214, 21408, 21610, 21612, 21614}


class TwilioChannel:
    channel = "sms"

    def __init__(self, provider):
        self.provider = provider

    def _auth(self):
        return required_secret(self.provider, "account_sid"), required_secret(self.provider, "auth_token")

    def send(self, client, outgoing) -> str:
        sid, token = self._auth()
        config = self.provider.config
        sender = {"MessagingServiceSid": config["messaging_service_sid"]} if config.get("messaging_service_sid") \
            else {"From": config.get("from_number", "")}
        ids, refused = [], []
        for number in outgoing.to:
            callback = settings.SITE_URL.rstrip("/") + reverse("notify:twilio_status", args=[self.provider.code])
            response = client.post(f"/2010-04-01/Accounts/{sid}/Messages.json", auth=(sid, token),
                                   data={"To": number, "Body": outgoing.text, "StatusCallback": callback, **sender})
            if response.status_code == 400:
                body = response_json(response)
                code = int(body.get("code", 0)) if isinstance(body, dict) else 0
                if code in NUMBER_REFUSED:
                    refused.append(f"{number}: Twilio {code}")
                    continue
                raise Misconfigured(f"Twilio refused the request: {code or 'HTTP 400'}")
            ids.append(str(response_json(check_response(response)).get("sid", "")))
        if not ids:
            raise Declined("; ".join(refused))
        return ",".join(ids)

    def probe(self, client):
        sid, token = self._auth()
        return response_json(check_response(client.get(f"/2010-04-01/Accounts/{sid}.json", auth=(sid, token))))
