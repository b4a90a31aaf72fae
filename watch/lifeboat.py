"""The lifeboat's cargo: the shop's public essentials pulled while it is up, and the order requests taken while it
is down, pushed into the shop once it is back.

Files in data_dir: snapshot.json (contacts + catalog, from /api/v1/lifeboat), status.json (the public status
summary), requests.jsonl (every request as taken; append-only, fsync'd) and pushed.jsonl (what became of each:
an order number, or the shop's reason for refusing it). The request id is the shop's idempotency key, so a request
pushed twice (answer lost, watcher restarted between push and ledger) is still one order.
"""

import hashlib
import json
import logging
import re
import secrets
from datetime import UTC, datetime
from pathlib import Path

import httpx

from watch.config import Config
from watch.store import append_record, read_json, read_records, write_atomic

log = logging.getLogger("watch.lifeboat")
PHOTO_MAX_BYTES = 400_000  # "photos if cheap": a photo larger than this is left out, the page shows the name only
PHOTO_NAME = re.compile(r"^[0-9a-f]{20}\.(jpg|jpeg|png|webp|gif)$")


class Lifeboat:
    def __init__(self, config: Config, client: httpx.Client):
        self.config, self.client = config, client
        self.dir = Path(config.data_dir)
        self.snapshot_path, self.status_path = self.dir / "snapshot.json", self.dir / "status.json"
        self.requests_path, self.pushed_path = self.dir / "requests.jsonl", self.dir / "pushed.jsonl"
        self.dir.mkdir(parents=True, exist_ok=True)

    # --- while the shop is up ---------------------------------------------------------------------------------

    def snapshot_refresh(self) -> bool:
        """Pull contacts + catalog and the status summary; the old copy stays if either fails."""
        ok = True
        if self.config.shop_token:
            ok = self._pull("/api/v1/lifeboat", self.snapshot_path, auth=True)
            if ok:
                self._photos_fetch()
        return self._pull("/status/api/v2/summary.json", self.status_path) and ok

    def _photos_fetch(self) -> None:
        """Each product's first photo, kept under a name derived from its URL (fetched once, never again)."""
        snapshot, folder = read_json(self.snapshot_path) or {}, self.dir / "photos"
        for product in snapshot.get("products", []):
            url = product.get("image_url", "")
            extension = url.rsplit(".", 1)[-1].lower()
            name = hashlib.sha256(url.encode()).hexdigest()[:20] + "." + extension
            if not url or not PHOTO_NAME.match(name):
                continue
            if not (folder / name).exists():
                try:
                    response = self.client.get(url)
                except httpx.HTTPError:
                    continue
                if response.status_code != 200 or len(response.content) > PHOTO_MAX_BYTES:
                    continue
                write_atomic(folder / name, response.content)
            product["photo"] = name
        write_atomic(self.snapshot_path, json.dumps(snapshot, ensure_ascii=False).encode())

    def photo(self, name: str) -> bytes | None:
        if not PHOTO_NAME.match(name):
            return None
        try:
            return (self.dir / "photos" / name).read_bytes()
        except FileNotFoundError:
            return None

    def _pull(self, path, target, auth=False) -> bool:
        headers = {"Authorization": f"Bearer {self.config.shop_token}"} if auth else {}
        try:
            response = self.client.get(self.config.shop_url + path, headers=headers)
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError) as error:
            log.warning("snapshot of %s failed: %s", path, type(error).__name__)
            return False
        document["_pulled_at"] = datetime.now(UTC).isoformat()
        write_atomic(target, json.dumps(document, ensure_ascii=False).encode())
        return True

    def snapshot(self) -> dict:
        snapshot = read_json(self.snapshot_path) or {}
        configured = {"name": self.config.shop_name, "phone": self.config.shop_phone, "email": self.config.shop_email}
        snapshot["shop"] = {**{k: v for k, v in configured.items() if v}, **snapshot.get("shop", {})}
        return snapshot

    def status(self) -> dict:
        return read_json(self.status_path) or {}

    # --- while the shop is down -------------------------------------------------------------------------------

    def request_store(self, fields: dict) -> dict:
        """Durably keep one order request (on disk before the customer is told it was received)."""
        record = {"request_id": "lb-" + secrets.token_hex(12), "received_at": datetime.now(UTC).isoformat(),
                  **fields}
        append_record(self.requests_path, record)
        return record

    # --- once it is back --------------------------------------------------------------------------------------

    def unpushed(self) -> list[dict]:
        done = {record["request_id"] for record in read_records(self.pushed_path)}
        return [record for record in read_records(self.requests_path) if record["request_id"] not in done]

    def requests_push(self) -> tuple[list[dict], list[dict]]:
        """Push every waiting request; returns (placed, refused). Stops at the first the shop cannot take now
        (unreachable, 5xx, 401), which stays waiting for the next round."""
        placed, refused = [], []
        if not self.config.shop_token:
            return placed, refused
        for record in self.unpushed():
            try:
                response = self.client.post(self.config.shop_url + "/api/v1/lifeboat/orders", json=record,
                                            headers={"Authorization": f"Bearer {self.config.shop_token}"})
            except httpx.HTTPError as error:
                log.warning("pushing order request %s failed: %s", record["request_id"], type(error).__name__)
                break
            if response.status_code in (200, 201):
                outcome = {"request_id": record["request_id"], "order": response.json()["number"],
                           "created": response.status_code == 201}
                placed.append({**record, **outcome})
            elif response.status_code in (409, 422):
                outcome = {"request_id": record["request_id"], "refused": _detail(response)}
                refused.append({**record, **outcome})
            else:
                log.warning("shop answered HTTP %s to order request %s", response.status_code, record["request_id"])
                break
            append_record(self.pushed_path, {**outcome, "at": datetime.now(UTC).isoformat()})
        return placed, refused


def _detail(response) -> str:
    try:
        return str(response.json().get("detail", ""))[:500]
    except ValueError:
        return f"HTTP {response.status_code}"
