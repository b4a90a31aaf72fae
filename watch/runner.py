"""The watcher's loop: one check round every interval, alerts on confirmed changes, the lifeboat kept fresh while
the shop is up and its order requests pushed in once the shop is back."""

import logging
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

from watch import eta
from watch.alerts import Alerts
from watch.announce import Announcer
from watch.checks import DEGRADED, DOWN, UP, Hysteresis, check_round
from watch.config import Config
from watch.lifeboat import Lifeboat
from watch.oncall import OnCall
from watch.sla import round_record
from watch.store import read_json, write_atomic
from watch.telegram_ack import TelegramAcks

log = logging.getLogger("watch")


class Watcher:
    def __init__(self, config: Config):
        self.config = config
        self.client = httpx.Client(timeout=config.timeout_seconds, follow_redirects=False,
                                   headers={"User-Agent": "steadfast-watch"})
        self.alerts = Alerts(config, self.client)
        self.lifeboat = Lifeboat(config, self.client)
        self.oncall = OnCall(config, self.client, self.alerts)
        self.telegram_acks = TelegramAcks(config, self.client, self.oncall, self.alerts) if config.telegram_token \
            else None
        self.state_path = Path(config.data_dir) / "state.json"
        saved = read_json(self.state_path) or {}
        # A watcher restarted during an outage remembers it: no second "down" alert, and "back up" still comes.
        self.hysteresis = Hysteresis(config.down_after, config.up_after, saved.get("state", UP))
        self.since = saved.get("since", datetime.now(UTC).isoformat())
        self.announcer = Announcer(config, self.client)  # posts the last run still owed: data_dir/announce-queue.json
        self.announcer.resume(self.since if self.state == DOWN else None, self.lifeboat.snapshot().get("shop", {}))
        self.problems: tuple[str, ...] = ()
        self.checked_at = ""
        self.snapshot_due = 0.0

    @property
    def state(self) -> str:
        return self.hysteresis.state

    def state_document(self) -> dict:
        return {"state": self.state, "since": self.since, "checked_at": self.checked_at,
                "problems": list(self.problems), "shop_url": self.config.shop_url,
                "requests_waiting": len(self.lifeboat.unpushed()), "eta": eta.current(self.config.data_dir),
                "pages_open": [{"event": p["event"], "opened_at": p["opened_at"], "paged": p["history"][-1]["paged"],
                                "acked_by": p["acked_by"]} for p in self.oncall.open_pages(include_acked=True)]}

    def tick(self) -> None:
        result = check_round(self.client, self.config.shop_url, self.config.catalog_path)
        now = datetime.now(UTC)
        self.problems, self.checked_at = result.problems, now.isoformat()
        round_record(self.config.data_dir, now, result.state, result.problems, result.components, result.incidents)
        change = self.hysteresis.observe(result.state)
        if change:
            self._changed(*change, result)
        if self.state != DOWN and result.state != DOWN:
            self._while_up()
        if self.telegram_acks:
            self.telegram_acks.poll()  # before escalating: a reply since the last round stops the next page
        self.oncall.escalate()
        self.alerts.flush()
        self.announcer.flush()

    def _changed(self, old, new, result) -> None:
        started, self.since = self.since, datetime.now(UTC).isoformat()
        write_atomic(self.state_path, f'{{"state": "{new}", "since": "{self.since}"}}'.encode())
        shop, why = self.config.shop_url, "; ".join(result.problems)
        lifeboat = f" Emergency page: {self.config.public_url}" if self.config.public_url else ""
        if new == DOWN:
            text = f"🔴 Shop DOWN: {shop} — {why} ({self.config.down_after} checks in a row).{lifeboat}"
            self.alerts.send("down", text, state=new)
            self.oncall.page_open("down", text)
            self.announcer.announce("down", self.since, self.lifeboat.snapshot().get("shop", {}))
        elif old == DOWN:
            self.oncall.close_all()
            if eta.clear(self.config.data_dir, "the shop is back"):  # the next outage starts without an old ETA
                log.info("the emergency page's ETA note is cleared: the shop is back")
            self.announcer.announce("back", started, self.lifeboat.snapshot().get("shop", {}))
            self.alerts.send("up", f"✅ Shop back {'UP' if new == UP else 'but DEGRADED'}: {shop} "
                             f"(down since {started[:19].replace('T', ' ')} UTC).", state=new)
        elif new == DEGRADED:
            text = f"🟠 Shop DEGRADED: {shop} — {why}."
            self.alerts.send("degraded", text, state=new)
            self.oncall.page_open("degraded", text)
        else:
            self.oncall.close_all()
            self.alerts.send("recovered", f"✅ Shop fully UP again: {shop}.", state=new)

    def _while_up(self) -> None:
        if time.monotonic() >= self.snapshot_due and self.lifeboat.snapshot_refresh():
            self.oncall.rota_refresh()  # kept with the snapshot: followed when the shop is dead
            self.snapshot_due = time.monotonic() + self.config.snapshot_seconds
        placed, refused = self.lifeboat.requests_push()
        placed = [p for p in placed if p["created"]]  # a replay (our ledger write was lost) was announced before
        if placed:
            numbers = ", ".join(f"{p['order']} ({p['full_name']}, {p['phone']})" for p in placed)
            self.alerts.send("requests_placed", f"📦 {len(placed)} order request(s) from the emergency page are now "
                             f"orders awaiting confirmation: {numbers}. Call the customers to confirm.")
        for request in refused:
            self.alerts.send("request_refused", f"⚠ Order request {request['request_id']} could not become an "
                             f"order ({request['refused']}). Call {request['full_name']} on {request['phone']}: "
                             f"{request['lines']}")

    def request_taken(self, record: dict) -> None:
        self.alerts.send("request_taken", f"📝 Order request {record['request_id']} on the emergency page from "
                         f"{record['full_name']} ({record['phone']}); it goes into the shop when it is back.",
                         deliver_now=False)

    def round_delay(self) -> float:
        recent = self.hysteresis.recent
        if recent and recent[-1] != self.state:  # a change is on its way: confirm (or dismiss) it soon
            return min(self.config.recheck_seconds, self.config.interval_seconds)
        return self.config.interval_seconds

    def run(self, stop: threading.Event, server=None) -> None:
        log.info("watching %s every %ss, re-checking after %ss (down after %s, up after %s)", self.config.shop_url,
                 self.config.interval_seconds, min(self.config.recheck_seconds, self.config.interval_seconds),
                 self.config.down_after, self.config.up_after)
        if server is not None:
            threading.Thread(target=server.serve_forever, name="lifeboat-web", daemon=True).start()
        try:
            while not stop.is_set():
                started = time.monotonic()
                self.tick()
                # Rounds start on a fixed cadence (a slow round does not push the next one back), and a round
                # that disagrees with the confirmed state is re-checked after recheck_seconds, not a full interval.
                stop.wait(max(0.0, started + self.round_delay() - time.monotonic()))
        finally:
            if server is not None:
                server.shutdown()
            self.client.close()
