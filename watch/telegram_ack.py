"""Acknowledging a page by replying to the watcher's Telegram bot: "ack" (the newest open page that paged this
chat) or "/ack <page id>". Each round polls the Bot API's getUpdates (no long polling: the round must not wait);
the confirmed offset is kept in data_dir/telegram.json so a restarted watcher does not read old replies again.

Only a chat of someone already paged for that page may acknowledge it, and only with a message written after the
page opened (an "ack" left unread from an earlier outage acknowledges nothing). Every reply gets an answer.
The bot must be the watcher's own: Telegram refuses getUpdates (409) for a bot that has a webhook set.

"/eta <text>" sets the note on the emergency page (watch/eta.py), "/eta clear" removes it, "/eta" alone shows it;
only from the chat of someone in the on-call rota, and the group is told who set what.
"""

import json
import logging
import re
from datetime import UTC, datetime
from pathlib import Path

import httpx

from watch import eta
from watch.store import read_json, write_atomic

log = logging.getLogger("watch.telegram")
ACK = re.compile(r"^/?ack(?:@\w+)?(?:\s+([0-9a-f]{12}))?\s*$", re.IGNORECASE)
ETA = re.compile(r"^/eta(?:@\w+)?(?:\s+(.*))?$", re.IGNORECASE | re.DOTALL)


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
        text, chat = (message.get("text") or "").strip(), str(message.get("chat", {}).get("id", ""))
        sent_at = datetime.fromtimestamp(int(message.get("date", 0)), UTC)
        if chat and (note := ETA.match(text)):
            return self._eta(chat, (note.group(1) or "").strip(), sent_at)
        match = ACK.match(text)
        if not match or not chat:
            return
        page = self.oncall.acknowledge_by_chat(chat, match.group(1) or "", sent_at)
        if page is None:
            answer = "Nothing to acknowledge: no open page sent to you" + (
                f" with id {match.group(1)}." if match.group(1) else ".")
        else:
            answer = f"👍 Acknowledged ({page['id']}), {page['acked_by']}: nobody else will be paged for it."
        self.alerts.send("ack_reply", answer, targets=[("telegram", chat)], who="replier")

    def _eta(self, chat: str, text: str, sent_at: datetime) -> None:
        name = next((p["name"] for p in self.oncall.rota().get("people", [])
                     if str(p.get("telegram_chat_id") or "") == chat), None)
        data_dir = self.config.data_dir
        if name is None:
            answer = "Only people in the on-call rota can set the emergency page's note."
        elif not text:
            note = eta.current(data_dir)
            answer = (f"The emergency page says: {note['text']} (set by {note['by']}). "
                      if note else "The emergency page has no note. ") + "Set it with /eta <text>, remove it with " \
                "/eta clear."
        elif text.lower() == "clear":
            eta.clear(data_dir, name)
            answer = "Removed: the emergency page shows no note."
            self.alerts.send("eta", f"🕑 {name} removed the emergency page's note.", deliver_now=False)
        elif eta.set_note(data_dir, text, name, sent_at) is None:
            answer = "Not set: your message was written before the shop was last back. Send it again if it still holds."
        else:
            answer = f"🕑 The emergency page now says: {eta.current(data_dir)['text']}"
            self.alerts.send("eta", f"🕑 {name} set the emergency page's note: {eta.current(data_dir)['text']}",
                             deliver_now=False)
        self.alerts.send("eta_reply", answer, targets=[("telegram", chat)], who="replier", deliver_now=False)
