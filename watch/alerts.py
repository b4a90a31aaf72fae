"""Alerts straight to staff, never through the shop (which may be the thing that is down).

Channels: Telegram Bot API sendMessage, a generic JSON webhook, and Apprise URLs when the optional apprise package
is installed. An alert a channel could not take stays queued and is retried every round; each send is a line in
alerts.jsonl (what, where, outcome; never a token).
"""

import logging
import threading
from datetime import UTC, datetime
from pathlib import Path

import httpx

from watch.config import Config
from watch.store import append_record

log = logging.getLogger("watch.alerts")


class Alerts:
    def __init__(self, config: Config, client: httpx.Client):
        self.config, self.client = config, client
        self.ledger = Path(config.data_dir) / "alerts.jsonl"
        self.pending: list[tuple[str, dict]] = []  # (channel, alert)
        self._lock = threading.Lock()  # the web thread (request taken) and the check loop both send
        self.channels = [name for name, on in (
            ("telegram", config.telegram_token and config.telegram_chat_id),
            ("webhook", config.webhook_url),
            ("apprise", config.apprise_urls),
        ) if on]
        if not self.channels:
            log.warning("no alert channel configured: outages will only be logged")

    def send(self, event: str, text: str, deliver_now: bool = True, **details) -> None:
        """Queue for every channel; deliver_now=False leaves delivery to the next round (the web thread must not
        wait on a hanging channel while a customer waits for the thank-you page)."""
        alert = {"event": event, "text": text, "at": datetime.now(UTC).isoformat(), **details}
        log.info("alert %s: %s", event, text)
        with self._lock:
            self.pending.extend((channel, alert) for channel in self.channels)
        if deliver_now:
            self.flush()

    def flush(self) -> None:
        with self._lock:
            self._flush()

    def _flush(self) -> None:
        still = []
        for channel, alert in self.pending:
            try:
                getattr(self, f"_{channel}")(alert)
            except (httpx.HTTPError, ValueError, RuntimeError) as error:
                log.warning("alert %s via %s failed: %s; retrying next round", alert["event"], channel,
                            type(error).__name__)
                append_record(self.ledger, {"event": alert["event"], "channel": channel, "outcome": "failed",
                                            "error": type(error).__name__, "alert_at": alert["at"]})
                still.append((channel, alert))
                continue
            append_record(self.ledger, {"event": alert["event"], "channel": channel, "outcome": "sent",
                                        "alert_at": alert["at"]})
        self.pending = still

    def _telegram(self, alert):
        url = f"{self.config.telegram_api}/bot{self.config.telegram_token}/sendMessage"
        response = self.client.post(url, json={"chat_id": self.config.telegram_chat_id, "text": alert["text"],
                                               "disable_web_page_preview": True})
        # Telegram answers {"ok": false, "description": ...} with 4xx; the URL holds the token, so never log it.
        if response.status_code != 200 or not response.json().get("ok"):
            raise RuntimeError(f"Telegram refused the message (HTTP {response.status_code})")

    def _webhook(self, alert):
        self.client.post(self.config.webhook_url, json=alert).raise_for_status()

    def _apprise(self, alert):
        import apprise

        notifier = apprise.Apprise()
        for url in self.config.apprise_urls:
            notifier.add(url)
        if not notifier.notify(body=alert["text"], title=f"Shop {alert['event']}"):
            raise RuntimeError("Apprise could not deliver to every URL")
