"""Alerts straight to staff, never through the shop (which may be the thing that is down).

Channels (watch/channels.py): Telegram, a JSON webhook, Apprise URLs, SMS through the watcher's own gateway and
e-mail through its own SMTP server. Every alert goes to the group addresses of the config; "down"/"degraded" also
page the on-call person (watch/oncall.py). Each send is a line in alerts.jsonl (what, channel, to whom by name,
outcome; never a token or a number).

The queue is durable: every (alert, address) not yet taken by its channel is in data_dir/alerts-queue.json
(replaced atomically when it changes), retried every round and after a restart, and removed once the channel took
it. Only a crash in the instant between the channel's answer and that write can send one alert twice; none is lost.
"""

import logging
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from watch import channels
from watch.config import Config
from watch.durable_queue import DurableQueue
from watch.store import append_record

log = logging.getLogger("watch.alerts")
MAX_AGE = timedelta(days=1)  # an alert nobody could be sent for a day says nothing useful any more


class Alerts:
    def __init__(self, config: Config, client: httpx.Client):
        self.config, self.client = config, client
        self.ledger = Path(config.data_dir) / "alerts.jsonl"
        # Items: {"channel", "address", "who", "alert"}; an address whose channel this config no longer has (a
        # restart may follow a config change) is dropped at start.
        self.queue = DurableQueue(Path(config.data_dir) / "alerts-queue.json", what="alert",
                                  keep=lambda item: channels.configured(config, item["channel"], item["address"]))
        self.group = channels.group_targets(config)
        if not self.group:
            log.warning("no alert channel configured: outages will only be logged (or paged to the on-call rota)")

    @property
    def channels(self) -> list[str]:
        return sorted({channel for channel, _ in self.group})

    @property
    def pending(self) -> list[dict]:
        return self.queue.items

    def send(self, event: str, text: str, deliver_now: bool = True, targets=None, who="group", **details) -> dict:
        """Queue for every group address (or the given (channel, address) targets); deliver_now=False leaves
        delivery to the next round (the web thread must not wait on a hanging channel while a customer waits)."""
        alert = {"id": details.pop("alert_id", None) or uuid.uuid4().hex[:12], "event": event, "text": text,
                 "at": datetime.now(UTC).isoformat(), **details}
        log.info("alert %s to %s: %s", event, who, text)
        self.queue.add([{"channel": channel, "address": address, "who": who, "alert": alert}
                        for channel, address in (self.group if targets is None else targets)])
        if deliver_now:
            self.flush()
        return alert

    def flush(self) -> None:
        """Offer every queued alert to its channel once; what a channel failed stays queued (on disk too), what an
        address refused for good or what is a day old is dropped (recorded). Hanging channels get
        2 × timeout_seconds a round, so they never hold the next checks long."""
        oldest = (datetime.now(UTC) - MAX_AGE).isoformat()
        for item in self.queue.drop(lambda item: item["alert"]["at"] < oldest):
            log.warning("alert %s via %s to %s dropped: not taken in %s", item["alert"]["event"], item["channel"],
                        item["who"], MAX_AGE)
            self._record(item, "expired")
        self.queue.deliver(self._send, lambda item: self._record(item, "sent"), self._failed,
                           budget=2 * self.config.timeout_seconds)

    def _send(self, item: dict) -> None:
        channels.SENDERS[item["channel"]](self.config, self.client, item["address"], item["alert"])

    def _failed(self, item: dict, error: Exception) -> None:
        refused = isinstance(error, channels.Refused)
        log.warning("alert %s via %s to %s failed: %s; %s", item["alert"]["event"], item["channel"], item["who"],
                    error if refused else type(error).__name__,
                    "dropped (this address will not take it)" if refused else "retrying next round")
        self._record(item, "refused" if refused else "failed", error=type(error).__name__)

    def _record(self, item: dict, outcome: str, **extra) -> None:
        alert = item["alert"]
        append_record(self.ledger, {"event": alert["event"], "alert_id": alert["id"], "channel": item["channel"],
                                    "to": item["who"], "alert_at": alert["at"], "outcome": outcome, **extra})
