"""Telling customers: the outage and the recovery posted to the shop's public channels, in the config's language.

Two outlets: a public Telegram channel (the watcher's bot is an admin of it) and a signed webhook that Zapier, Make or
Buffer turn into posts anywhere else (Facebook, Instagram, X: those need app review and page tokens the watcher
cannot hold). One "down" and one "back" post per outage and outlet, ever: posted ones are lines in
announced.jsonl (outage id = when the outage was confirmed), so retries, restarts and flapping never post twice.
A refused post stays queued and is retried every round.

Webhook: POST JSON {"event": "outage"|"recovery", "outage_id", "text", "shop_url", "lifeboat_url", "at"} with
X-Steadfast-Timestamp, X-Steadfast-Delivery (<outage id>:<event>, the same on every retry) and
X-Steadfast-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with announce_webhook_secret>.
"""

import hashlib
import hmac
import json
import logging
import time
from datetime import UTC, datetime
from pathlib import Path

from watch import channels
from watch.i18n import gettext
from watch.store import append_record, read_records

log = logging.getLogger("watch.announce")
EVENTS = {"down": "outage", "back": "recovery"}


def signature(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


class Announcer:
    def __init__(self, config, client):
        self.config, self.client = config, client
        self.ledger = Path(config.data_dir) / "announced.jsonl"
        self.outlets = ([("telegram", config.announce_telegram_chat_id)] if config.announce_telegram_chat_id else []) \
            + ([("webhook", config.announce_webhook_url)] if config.announce_webhook_url else [])
        self.posted = {(r["outage_id"], r["kind"], r["outlet"]) for r in read_records(self.ledger)}
        self.pending: list[tuple[str, str, str, dict]] = []  # (outage id, kind, outlet, post)

    def announce(self, kind: str, outage_id: str, shop: dict, deliver_now: bool = True) -> None:
        """kind "down" or "back" for the outage confirmed at outage_id; shop: name, phone, email (the snapshot)."""
        post = {"event": EVENTS[kind], "outage_id": outage_id, "text": self.text(kind, shop),
                "shop_url": self.config.shop_url, "lifeboat_url": self.config.public_url,
                "at": datetime.now(UTC).isoformat()}
        queued = {(o, k, name) for o, k, name, _ in self.pending}
        self.pending += [(outage_id, kind, name, post) for name, _ in self.outlets
                         if (outage_id, kind, name) not in self.posted | queued]
        if deliver_now:
            self.flush()

    def text(self, kind: str, shop: dict) -> str:
        lang, name = self.config.language, shop.get("name") or self.config.shop_url
        if kind == "back":
            return gettext(lang, "{name}: our website is back. Thank you for your patience!", name=name)
        lines = [gettext(lang, "{name}: our website is temporarily down. We are working on it; orders and payments "
                         "made before are safe.", name=name)]
        contacts = ", ".join(value for value in (shop.get("phone"), shop.get("email")) if value)
        if contacts:
            lines.append(gettext(lang, "Reach us: {contacts}.", contacts=contacts))
        if self.config.public_url:
            lines.append(gettext(lang, "Order requests and news: {url}", url=self.config.public_url))
        return "\n".join(lines)

    def flush(self) -> None:
        still = []
        for outage_id, kind, outlet, post in self.pending:
            try:
                self._post(outlet, post, f"{outage_id}:{post['event']}")
            except channels.SEND_ERRORS as error:  # the Telegram URL holds the token: log the kind only
                log.warning("%s post (%s) refused: %s; retrying next round", kind, outlet, type(error).__name__)
                still.append((outage_id, kind, outlet, post))
                continue
            self.posted.add((outage_id, kind, outlet))
            append_record(self.ledger, {"outage_id": outage_id, "kind": kind, "outlet": outlet,
                                        "at": datetime.now(UTC).isoformat()})
        self.pending = still

    def _post(self, outlet: str, post: dict, delivery: str) -> None:
        if outlet == "telegram":
            channels.telegram(self.config, self.client, self.config.announce_telegram_chat_id, post)
            return
        body = json.dumps(post, ensure_ascii=False, sort_keys=True).encode()
        timestamp = str(int(time.time()))
        self.client.post(self.config.announce_webhook_url, content=body, headers={
            "Content-Type": "application/json", "X-Steadfast-Timestamp": timestamp, "X-Steadfast-Delivery": delivery,
            "X-Steadfast-Signature": signature(self.config.announce_webhook_secret, timestamp, body),
        }).raise_for_status()
