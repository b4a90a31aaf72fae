"""Alerts straight to staff, never through the shop (which may be the thing that is down).

Channels (watch/channels.py): Telegram, a JSON webhook, Apprise URLs, SMS through the watcher's own gateway and
e-mail through its own SMTP server. Every alert goes to the group addresses of the config; "down"/"degraded" also
page the on-call person (watch/oncall.py). Each send is a line in alerts.jsonl (what, channel, to whom by name,
outcome; never a token or a number).

The queue is durable: every (alert, address) not yet taken by its channel is in data_dir/alerts-queue.json
(replaced atomically when it changes), retried every round and after a restart, and removed once the channel took
it. Only a crash in the instant between the channel's answer and that write can send one alert twice; none is lost.
"""

import json
import logging
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx

from watch import channels
from watch.config import Config
from watch.store import append_record, read_json, write_atomic

log = logging.getLogger("watch.alerts")


class Alerts:
    def __init__(self, config: Config, client: httpx.Client):
        self.config, self.client = config, client
        self.ledger = Path(config.data_dir) / "alerts.jsonl"
        self.queue_path = Path(config.data_dir) / "alerts-queue.json"
        self._lock = threading.Lock()  # the web thread (request taken) and the check loop both queue
        self._flushing = threading.Lock()  # one delivery pass at a time (two would send the same alert twice)
        self.pending: list[tuple[str, str, str, dict]] = self._load()  # (channel, address, who, alert)
        self.group = channels.group_targets(config)
        if not self.group:
            log.warning("no alert channel configured: outages will only be logged (or paged to the on-call rota)")

    @property
    def channels(self) -> list[str]:
        return sorted({channel for channel, _ in self.group})

    def send(self, event: str, text: str, deliver_now: bool = True, targets=None, who="group", **details) -> dict:
        """Queue for every group address (or the given (channel, address) targets); deliver_now=False leaves
        delivery to the next round (the web thread must not wait on a hanging channel while a customer waits)."""
        alert = {"id": details.pop("alert_id", None) or uuid.uuid4().hex[:12], "event": event, "text": text,
                 "at": datetime.now(UTC).isoformat(), **details}
        log.info("alert %s to %s: %s", event, who, text)
        with self._lock:
            self.pending.extend((channel, address, who, alert)
                                for channel, address in (self.group if targets is None else targets))
            self._save()
        if deliver_now:
            self.flush()
        return alert

    def flush(self) -> None:
        """Offer every queued alert to its channel once; what a channel refused stays queued (on disk too)."""
        with self._flushing:
            with self._lock:
                queue = list(self.pending)
            for item in queue:
                channel, address, who, alert = item
                record = {"event": alert["event"], "alert_id": alert["id"], "channel": channel, "to": who,
                          "alert_at": alert["at"]}
                try:
                    channels.SENDERS[channel](self.config, self.client, address, alert)
                except channels.SEND_ERRORS as error:
                    log.warning("alert %s via %s to %s failed: %s; retrying next round", alert["event"], channel,
                                who, type(error).__name__)
                    append_record(self.ledger, {**record, "outcome": "failed", "error": type(error).__name__})
                    continue
                with self._lock:
                    self.pending = [p for p in self.pending if p is not item]
                    self._save()
                append_record(self.ledger, {**record, "outcome": "sent"})

    def _save(self) -> None:
        document = [{"channel": c, "address": a, "who": w, "alert": alert} for c, a, w, alert in self.pending]
        write_atomic(self.queue_path, json.dumps(document, ensure_ascii=False).encode())

    def _load(self) -> list[tuple[str, str, str, dict]]:
        """The queue a previous run left; an address whose channel this config no longer has is dropped (logged)."""
        kept, dropped = [], 0
        for item in read_json(self.queue_path) or []:
            if channels.configured(self.config, item["channel"], item["address"]):
                kept.append((item["channel"], item["address"], item["who"], item["alert"]))
            else:
                dropped += 1
        if kept or dropped:
            log.info("%d alert(s) queued before the restart will be retried; %d dropped (channel no longer "
                     "configured)", len(kept), dropped)
        return kept
