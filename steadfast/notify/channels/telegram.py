"""Telegram Bot API: sendMessage to a customer who linked their chat, or to the staff group.

Config: "api_base" (default https://api.telegram.org). Secret: STEADFAST_<CODE>_BOT_TOKEN.
403 "bot was blocked by the user" / "user is deactivated" / "bot can't initiate conversation with a user" (a
person who never pressed Start in this bot, e.g. an on-call chat id taken from the watcher's bot) and 400 "chat not
found" -> Declined (this chat, for good); 401 or another 403 -> Misconfigured (bad token); 429 and 5xx -> Unavailable.
"""

from steadfast.notify.channels.base import required_secret
from steadfast.providers.call import check_response, response_json
from steadfast.providers.errors import Declined, Misconfigured

PERMANENT_403 = ("blocked by the user", "user is deactivated", "bot was kicked", "not a member",
                 "can't initiate conversation", "can't send messages to bots")


class TelegramChannel:
    channel = "telegram"

    def __init__(self, provider):
        self.provider = provider

    def _path(self, method):
        return f"/bot{required_secret(self.provider, 'bot_token')}/{method}"

    def send(self, client, outgoing) -> str:
        ids = []
        for chat in outgoing.to:
            response = client.post(self._path("sendMessage"), json={
                "chat_id": chat, "text": outgoing.text[:4096], "disable_web_page_preview": True,
            })
            ids.append(str(self._result(response).get("message_id", "")))
        return ",".join(ids)

    def probe(self, client):
        return self._result(client.get(self._path("getMe")))

    @staticmethod
    def _result(response) -> dict:
        description = ""
        if response.status_code in (400, 403):
            body = response_json(response) if response.content else {}
            description = str(body.get("description", "")) if isinstance(body, dict) else ""
            if response.status_code == 403 and any(text in description for text in PERMANENT_403):
                raise Declined(f"Telegram: {description}")
            if response.status_code == 400:
                raise Declined(f"Telegram refused the message: {description or 'HTTP 400'}")
        check_response(response)
        body = response_json(response)
        if not isinstance(body, dict) or not body.get("ok"):
            raise Misconfigured(f"Telegram answered without ok: {str(body)[:200]}")
        return body.get("result") or {}
