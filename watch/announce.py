"""Telling customers: the outage and the recovery posted to the shop's public channels, in the config's language.

Two outlets: a public Telegram channel (the watcher's bot is an admin of it) and a signed webhook that Zapier, Make or
Buffer turn into posts anywhere else (Facebook, Instagram, X: those need app review and page tokens the watcher
cannot hold). One "down" and one "back" post per outage and outlet, ever: posted ones are lines in
announced.jsonl (outage id = when the outage was confirmed), so retries, restarts and flapping never post twice.

A post not yet taken waits in data_dir/announce-queue.json (watch/durable_queue.py, like the staff alerts): retried
every round and by the next watcher after a restart, removed once announced.jsonl records it (only a crash in the
instant between the outlet's answer and that line can repeat one post). The queue names the outlet ("telegram",
"webhook") and holds the post's public text: never the bot token, the webhook URL or its secret, which are read from
the config at each attempt (a changed URL gets the queued post; an outlet removed from the config drops it).
A "down" post still queued when the shop is back is dropped, not posted late: the "back" post replaces it
(customers who found the site dead learn it works again; nobody is told "down" after the fact).

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
from watch.durable_queue import DurableQueue
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
        self.outlets = (["telegram"] if config.announce_telegram_chat_id else []) \
            + (["webhook"] if config.announce_webhook_url else [])
        self.posted = {(r["outage_id"], r["kind"], r["outlet"]) for r in read_records(self.ledger)}
        # Items: {"outage_id", "kind", "outlet", "post"}: the outlet by name, its address and secrets stay in the config
        self.queue = DurableQueue(Path(config.data_dir) / "announce-queue.json", what="public post",
                                  keep=self._still_owed)

    def _still_owed(self, item: dict) -> bool:
        """A post the last run left is kept if its outlet is still configured (to its address now) and
        announced.jsonl does not have it (the last run died between writing that line and the queue)."""
        return item["outlet"] in self.outlets and self._key(item) not in self.posted

    @property
    def pending(self) -> list[dict]:
        return self.queue.items

    def announce(self, kind: str, outage_id: str, shop: dict, deliver_now: bool = True) -> None:
        """kind "down" or "back" for the outage confirmed at outage_id; shop: name, phone, email (the snapshot)."""
        post = {"event": EVENTS[kind], "outage_id": outage_id, "text": self.text(kind, shop),
                "shop_url": self.config.shop_url, "lifeboat_url": self.config.public_url,
                "at": datetime.now(UTC).isoformat()}
        if kind == "back":  # the shop is back: an outage post not made yet would now be wrong
            for item in self.queue.drop(lambda item: item["outage_id"] == outage_id and item["kind"] == "down"):
                log.info("down post (%s) of the outage at %s dropped: never taken, and the shop is back",
                         item["outlet"], outage_id)
        known = self.posted | {self._key(item) for item in self.queue.items}  # posted or queued: never twice
        self.queue.add([{"outage_id": outage_id, "kind": kind, "outlet": outlet, "post": post}
                        for outlet in self.outlets if (outage_id, kind, outlet) not in known])
        if deliver_now:
            self.flush()

    def resume(self, outage_id: str | None, shop: dict) -> None:
        """At start-up: outage_id is the outage the saved state says is going on (None: the shop is up). Its "down"
        post is queued again if the last run died before queueing it; a queued "down" of any other outage is stale
        (the last run died between seeing the shop back and queueing "back"): its "back" is queued instead."""
        for ended in sorted({item["outage_id"] for item in self.queue.items if item["kind"] == "down"} - {outage_id}):
            self.announce("back", ended, shop, deliver_now=False)
        if outage_id:
            self.announce("down", outage_id, shop, deliver_now=False)

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
        """Offer every queued post to its outlet once; a failed one stays queued (on disk too), one the outlet
        refused for good (channels.Refused) is dropped."""
        self.queue.deliver(self._post, self._posted, self._refused, budget=2 * self.config.timeout_seconds)

    @staticmethod
    def _key(item: dict) -> tuple[str, str, str]:
        return item["outage_id"], item["kind"], item["outlet"]

    def _posted(self, item: dict) -> None:
        self.posted.add(self._key(item))
        append_record(self.ledger, {"outage_id": item["outage_id"], "kind": item["kind"], "outlet": item["outlet"],
                                    "at": datetime.now(UTC).isoformat()})

    def _refused(self, item: dict, error: Exception) -> None:  # the Telegram URL holds the token: log the kind only
        log.warning("%s post (%s) refused: %s; %s", item["kind"], item["outlet"], type(error).__name__,
                    "dropped (the outlet refused it for good: check the bot's rights or the webhook)"
                    if isinstance(error, channels.Refused) else "retrying next round")

    def _post(self, item: dict) -> None:
        post, delivery = item["post"], f"{item['outage_id']}:{item['post']['event']}"
        if item["outlet"] == "telegram":
            channels.telegram(self.config, self.client, self.config.announce_telegram_chat_id, post)
            return
        body = json.dumps(post, ensure_ascii=False, sort_keys=True).encode()
        timestamp = str(int(time.time()))
        self.client.post(self.config.announce_webhook_url, content=body, headers={
            "Content-Type": "application/json", "X-Steadfast-Timestamp": timestamp, "X-Steadfast-Delivery": delivery,
            "X-Steadfast-Signature": signature(self.config.announce_webhook_secret, timestamp, body),
        }).raise_for_status()
