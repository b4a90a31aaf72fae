"""SMS.ru (https://sms.ru/api): POST /sms/send, JSON answers with a status per number.

Config: "api_base" (default https://sms.ru), "sender" (an approved sender name, optional).
Secret: STEADFAST_<CODE>_API_ID. Per-number status 202/207 (invalid number, cannot send there) -> Declined;
top-level 200/201/300-302 (bad api_id, no money, account blocked) -> Misconfigured; 220 (service temporarily
unavailable) and HTTP 429/5xx -> Unavailable.
"""

from steadfast.notify.channels.base import required_secret
from steadfast.providers.call import check_response, response_json
from steadfast.providers.errors import Declined, Misconfigured, Unavailable

INVALID_NUMBER = {202, 207}
ACCOUNT = {200, 201, 300, 301, 302}


def normalise(number: str) -> str:
    """"+7 (912) 345-67-89" -> "79123456789": SMS.ru takes digits only."""
    return "".join(ch for ch in number if ch.isdigit())


class SmsRuChannel:
    channel = "sms"

    def __init__(self, provider):
        self.provider = provider

    def send(self, client, outgoing) -> str:
        numbers = [normalise(number) for number in outgoing.to]
        data = {"api_id": required_secret(self.provider, "api_id"), "to": ",".join(numbers),
                "msg": outgoing.text, "json": 1}
        if self.provider.config.get("sender"):
            data["from"] = self.provider.config["sender"]
        body = self._body(client.post("/sms/send", data=data))
        per_number = body.get("sms") or {}
        ids, refused = [], []
        for number in numbers:
            result = per_number.get(number) or {}
            if result.get("status") == "OK":
                ids.append(str(result.get("sms_id", "")))
            elif int(result.get("status_code", 0)) in INVALID_NUMBER:
                refused.append(f"{number}: {result.get('status_text', 'invalid number')}")
            else:
                raise Unavailable(f"SMS.ru did not take {number}: {result.get('status_text', 'no status')}")
        if not ids:
            raise Declined("; ".join(refused) or "SMS.ru took no number")
        return ",".join(ids)

    def probe(self, client):
        return self._body(client.get("/my/balance", params={"api_id": required_secret(self.provider, "api_id"),
                                                             "json": 1}))

    @staticmethod
    def _body(response) -> dict:
        body = response_json(check_response(response))
        if not isinstance(body, dict):
            raise Unavailable("SMS.ru: unexpected answer")
        if body.get("status") != "OK":
            code = int(body.get("status_code", 0))
            text = body.get("status_text", "error")
            if code in ACCOUNT:
                raise Misconfigured(f"SMS.ru {code}: {text}")
            raise Unavailable(f"SMS.ru {code}: {text}")
        return body
