"""Alerts straight to staff, never through the shop (which may be the thing that is down).

Channels (watch/channels.py): Telegram, a JSON webhook, Apprise URLs, SMS through the watcher's own gateway and
e-mail through its own SMTP server. Every alert goes to the group addresses of the config; "down"/"degraded" also
page the on-call person (watch/oncall.py). An alert a channel could not take stays queued and is retried every
round; each send is a line in alerts.jsonl (what, channel, to whom by name, outcome; never a token or a number).
"""

import logging
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx

from watch import channels
from watch.config import Config
from watch.store import append_record

log = logging.getLogger("watch.alerts")


class Alerts:
    def __init__(self, config: Config, client: httpx.Client):
        self.config, self.client = config, client
        self.ledger = Path(config.data_dir) / "alerts.jsonl"
        self.pending: list[tuple[str, str, str, dict]] = []  # (channel, address, who, alert)
        self._lock = threading.Lock()  # the web thread (request taken) and the check loop both send
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
        if deliver_now:
            self.flush()
        return alert

    def flush(self) -> None:
        with self._lock:
            self._flush()

    def _flush(self) -> None:
        still = []
        for channel, address, who, alert in self.pending:
            record = {"event": alert["event"], "alert_id": alert["id"], "channel": channel, "to": who,
                      "alert_at": alert["at"]}
            try:
                channels.SENDERS[channel](self.config, self.client, address, alert)
            except channels.SEND_ERRORS as error:
                log.warning("alert %s via %s to %s failed: %s; retrying next round", alert["event"], channel, who,
                            type(error).__name__)
                append_record(self.ledger, {**record, "outcome": "failed", "error": type(error).__name__})
                still.append((channel, address, who, alert))
                continue
            append_record(self.ledger, {**record, "outcome": "sent"})
        self.pending = still
