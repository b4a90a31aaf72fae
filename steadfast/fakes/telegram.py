"""A loopback fake of the Telegram Bot API: sendMessage, getMe, setWebhook, and updates pushed to the bot's webhook.

    fake.blocked.add(chat_id)              # 403 "bot was blocked by the user" for that chat
    fake.never_started.add(chat_id)        # 403 "bot can't initiate conversation with a user" (never pressed Start)
    fake.user_sends(chat_id, "/start abc") # a person writes to the bot: an Update POSTed to the webhook with
                                           # X-Telegram-Bot-Api-Secret-Token, as Telegram does
"""

import itertools
import time
from urllib.parse import urlsplit

from steadfast.fakes.ledger import Ledger, form
from steadfast.fakes.server import FakeResponse


class FakeTelegram(Ledger):
    """POST /bot<token>/sendMessage {"chat_id", "text"}; GET /bot<token>/getMe; POST setWebhook {url, secret_token}."""

    def __init__(self, token="123456:fake-token", webhook_url="", secret_token="", username="steadfast_demo_bot",
                 **kwargs):
        super().__init__(**kwargs)
        self.token, self.webhook_url, self.secret_token, self.username = token, webhook_url, secret_token, username
        self._updates = itertools.count(1)
        self.never_started: set[str] = set()

    def handle(self, request):
        prefix = f"/bot{self.token}/"
        path = urlsplit(request.path).path
        if not path.startswith(prefix):
            return FakeResponse(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        method = path[len(prefix):]
        data = request.json() if request.body.startswith(b"{") else form(request)
        if method == "getMe":
            return FakeResponse(200, {"ok": True, "result": {"id": 1, "is_bot": True, "username": self.username}})
        if method == "setWebhook":
            self.webhook_url, self.secret_token = data.get("url", ""), data.get("secret_token", "")
            return FakeResponse(200, {"ok": True, "result": True, "description": "Webhook was set"})
        if method != "sendMessage":
            return FakeResponse(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        chat, text = str(data.get("chat_id", "")), data.get("text", "")
        if chat in self.blocked:
            return FakeResponse(403, {"ok": False, "error_code": 403,
                                      "description": "Forbidden: bot was blocked by the user"})
        if chat in self.never_started:
            return FakeResponse(403, {"ok": False, "error_code": 403,
                                      "description": "Forbidden: bot can't initiate conversation with a user"})
        if not chat or not text:
            return FakeResponse(400, {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"})
        message_id = self._accept(to=chat, text=text)
        return FakeResponse(200, {"ok": True, "result": {"message_id": message_id, "chat": {"id": chat},
                                                         "text": text}})

    def user_sends(self, chat_id: int, text: str, secret_token: str | None = None):
        """A person writes `text` to the bot; the Update goes to the webhook (in the background)."""
        update_id = next(self._updates)
        update = {"update_id": update_id, "message": {
            "message_id": update_id, "date": int(time.time()), "text": text,
            "from": {"id": chat_id, "is_bot": False, "first_name": "Ann"},
            "chat": {"id": chat_id, "type": "private", "first_name": "Ann"}}}
        secret = self.secret_token if secret_token is None else secret_token
        self.push(f"update:{update_id}", self.webhook_url, json=update,
                  headers={"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {})
