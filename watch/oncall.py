"""Paging the on-call rota: "down" and "degraded" go to the person on call first (watch/rota.py), to the next one
after `escalate_minutes` without an acknowledgement, then to everyone. "degraded" is not critical: it skips people
in their quiet hours. Every page carries an acknowledge link
served by the lifeboat web server (or a reply "/ack <id>" to the watcher's Telegram bot, watch/telegram_ack.py);
acknowledging stops the escalation and tells the group who took it.

The rota is pulled from the shop while it is up and kept in rota.json for when it is not; open pages and their
history (paged whom, when; acknowledged by whom, when) are kept in pages.json.
"""

import hashlib
import hmac
import logging
import secrets
import threading
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from watch.channels import person_targets
from watch.rota import on_call, quiet
from watch.store import read_json, write_atomic

log = logging.getLogger("watch.oncall")


class OnCall:
    def __init__(self, config, client, alerts):
        self.config, self.client, self.alerts = config, client, alerts
        data = Path(config.data_dir)
        self.rota_path, self.pages_path, secret_path = data / "rota.json", data / "pages.json", data / "ack.key"
        if not secret_path.exists():
            write_atomic(secret_path, secrets.token_hex(32).encode())
        self.secret = secret_path.read_bytes()
        self.pages = read_json(self.pages_path) or []
        self._lock = threading.Lock()  # the web thread acknowledges while the loop escalates

    def rota(self) -> dict:
        return read_json(self.rota_path) or {}

    def rota_refresh(self) -> bool:
        if not self.config.shop_token:
            return False
        try:
            response = self.client.get(self.config.shop_url + "/api/v1/lifeboat/oncall",
                                       headers={"Authorization": f"Bearer {self.config.shop_token}"})
            response.raise_for_status()
            rota = response.json()
        except (httpx.HTTPError, ValueError) as error:
            log.warning("on-call rota not refreshed: %s (keeping the last copy)", type(error).__name__)
            return False
        write_atomic(self.rota_path, _json(rota))
        return True

    def page_open(self, event: str, text: str, now: datetime | None = None) -> dict | None:
        now = now or datetime.now(UTC)
        rota = self.rota()
        order = self._order(rota, event, now)
        if not order:
            return None
        page = {"id": uuid.uuid4().hex[:12], "event": event, "text": text, "opened_at": now.isoformat(),
                "order": [p["name"] for p in order], "level": 0, "history": [], "acked_by": "", "acked_at": "",
                "closed_at": ""}
        with self._lock:
            self.pages.append(page)
            self._page(page, order, now)
            self._save()
        return page

    def escalate(self, now: datetime | None = None) -> None:
        """Called every round: an open page nobody acknowledged in escalate_minutes goes one step further."""
        now = now or datetime.now(UTC)
        wait = timedelta(minutes=self.config.escalate_minutes)
        with self._lock:
            for page in self.open_pages():
                last = datetime.fromisoformat(page["history"][-1]["at"])
                if page["level"] <= len(page["order"]) - 1 and now - last >= wait:
                    page["level"] += 1
                    self._page(page, self._order(self.rota(), page["event"],
                                                 datetime.fromisoformat(page["opened_at"])), now)
                    self._save()

    @staticmethod
    def _order(rota, event, at) -> list[dict]:
        """Who is paged, in order; a non-critical event ("degraded") skips people in their quiet hours."""
        people = on_call(rota, at)
        return people if event == "down" else [p for p in people if not quiet(rota, p, at)]

    def acknowledge(self, page_id: str, level: str, key: str, now: datetime | None = None) -> dict | None:
        if not hmac.compare_digest(key, self.ack_key(page_id, level)):
            return None
        with self._lock:
            page = next((p for p in self.pages if p["id"] == page_id), None)
            if page is None:
                return None
            names = page["order"]
            self._acknowledged(page, names[int(level)] if level.isdigit() and int(level) < len(names) else "everyone",
                               now)
        return page

    def acknowledge_by_chat(self, chat_id: str, page_id: str, sent_at: datetime) -> dict | None:
        """A reply in Telegram: the page (the newest open one that paged this chat, when page_id is empty) if the
        chat belongs to someone already paged for it and the reply was written after the page opened (Telegram
        gives whole seconds)."""
        people = {str(p.get("telegram_chat_id") or ""): p["name"] for p in self.rota().get("people", [])}
        name = people.get(str(chat_id))
        if not name or not chat_id:
            return None
        with self._lock:
            for page in reversed(self.open_pages()):
                paged = page["order"] if page["level"] >= len(page["order"]) else page["order"][:page["level"] + 1]
                if (page_id in ("", page["id"]) and name in paged
                        and sent_at >= datetime.fromisoformat(page["opened_at"]).replace(microsecond=0)):
                    self._acknowledged(page, name, None)
                    return page
        return None

    def _acknowledged(self, page, who, now) -> None:
        if not page["acked_at"]:
            page["acked_by"], page["acked_at"] = who, (now or datetime.now(UTC)).isoformat()
            self._save()
            self.alerts.send("acknowledged", f"👍 {page['acked_by']} is on it: {page['text']}",
                             deliver_now=False, alert_id=f"{page['id']}-ack")

    def close_all(self, now: datetime | None = None) -> None:
        """The shop is back: open pages stop escalating (the "back up" alert went to the group)."""
        now = now or datetime.now(UTC)
        with self._lock:
            for page in self.open_pages(include_acked=True):
                page["closed_at"] = now.isoformat()
            self._save()

    def open_pages(self, include_acked=False) -> list[dict]:
        return [p for p in self.pages if not p["closed_at"] and (include_acked or not p["acked_at"])]

    def ack_key(self, page_id: str, level) -> str:
        return hmac.new(self.secret, f"{page_id}:{level}".encode(), hashlib.sha256).hexdigest()[:32]

    def ack_url(self, page_id: str, level) -> str:
        base = self.config.public_url or "http://{}:{}".format(*self.config.listen_host_port)
        return f"{base}/watch/ack/{page_id}?p={level}&k={self.ack_key(page_id, level)}"

    def _page(self, page, order, now) -> None:
        level = page["level"]
        if level < len(order):
            people, who, tag = [order[level]], order[level]["name"], str(level)
        else:
            people, who, tag = order, "everyone", "all"
        targets = [t for person in people for t in person_targets(self.config, person)]
        ack = self.ack_url(page["id"], tag)
        escalated = f" (not acknowledged: escalated to {who})" if level else ""
        by_reply = f" or reply /ack {page['id']}" if self.config.telegram_token else ""
        self.alerts.send(page["event"], f"{page['text']}{escalated}\nAcknowledge: {ack}{by_reply}", targets=targets,
                         who=who,
                         alert_id=f"{page['id']}-{tag}", ack_url=ack)
        page["history"].append({"at": now.isoformat(), "paged": who, "channels": sorted({c for c, _ in targets})})
        if not targets:
            log.warning("on-call %s has no address this watcher can use", who)

    def _save(self) -> None:
        write_atomic(self.pages_path, _json(self.pages[-200:]))


def _json(document) -> bytes:
    import json

    return json.dumps(document, ensure_ascii=False, indent=1).encode()
