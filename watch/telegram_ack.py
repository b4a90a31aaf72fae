"""Acknowledging a page by replying to the watcher's Telegram bot: "ack" (the newest open page that paged this
chat) or "/ack <page id>". Each round polls the Bot API's getUpdates (no long polling: the round must not wait);
the confirmed offset is kept in data_dir/telegram.json so a restarted watcher does not read old replies again.

Only a chat of someone already paged for that page may acknowledge it, and only with a message written after the
page opened (an "ack" left unread from an earlier outage acknowledges nothing). Every reply gets an answer.
The bot must be the watcher's own: Telegram refuses getUpdates (409) for a bot that has a webhook set.
"""

import json
import logging
import re
from datetime import UTC, datetime
from pathlib import Path

import httpx

from watch.store import read_json, write_atomic

log = logging.getLogger("watch.telegram")
ACK = re.compile(r"^/?ack(?:@\w+)?(?:\s+([0-9a-f]{12}))?\s*$", re.IGNORECASE)


class TelegramAcks:
    def __init__(self, config, client, oncall, alerts):
        self.config, self.client, self.oncall, self.alerts = config, client, oncall, alerts
        self.path = Path(config.data_dir) / "telegram.json"
        self.offset = (read_json(self.path) or {}).get("offset", 0)

    def poll(self) -> int:
        """Read new replies, acknowledge what they name; returns how many updates were read."""
        url = f"{self.config.telegram_api}/bot{self.config.telegram_token}/getUpdates"
        try:
            response = self.client.post(url, json={"offset": self.offset, "timeout": 0,
                                                   "allowed_updates": ["message"]})
            updates = response.json().get("result", []) if response.status_code == 200 else None
        except (httpx.HTTPError, ValueError) as error:  # the URL holds the token: log the kind only
            log.warning("Telegram getUpdates failed: %s", type(error).__name__)
            return 0
        if updates is None:
            log.warning("Telegram getUpdates refused (HTTP %s)%s", response.status_code,
                        ": the bot has a webhook; give the watcher its own bot" if response.status_code == 409 else "")
            return 0
        for update in updates:
            self._handle(update.get("message") or {})
            self.offset = max(self.offset, int(update["update_id"]) + 1)
        if updates:
            write_atomic(self.path, json.dumps({"offset": self.offset}).encode())
        return len(updates)

    def _handle(self, message: dict) -> None:
        match = ACK.match((message.get("text") or "").strip())
        chat = str(message.get("chat", {}).get("id", ""))
        if not match or not chat:
            return
        sent_at = datetime.fromtimestamp(int(message.get("date", 0)), UTC)
        page = self.oncall.acknowledge_by_chat(chat, match.group(1) or "", sent_at)
        if page is None:
            answer = "Nothing to acknowledge: no open page sent to you" + (
                f" with id {match.group(1)}." if match.group(1) else ".")
        else:
            answer = f"👍 Acknowledged ({page['id']}), {page['acked_by']}: nobody else will be paged for it."
        self.alerts.send("ack_reply", answer, targets=[("telegram", chat)], who="replier")
