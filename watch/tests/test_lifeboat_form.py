"""The lifeboat's web server in a watcher that knows the shop is down (no shop needed): a stored request is on disk
before the thank-you page, and one client cannot fill the watcher's disk."""

import json
import threading

import httpx

from watch.config import load
from watch.runner import Watcher
from watch.web import PER_CLIENT, serve

SNAPSHOT = {
    "shop": {"name": "Test shop", "phone": "+48 1", "email": "a@example.com", "currency": "EUR"},
    "products": [{"name": "Hat", "category": "Hats",
                  "variants": [{"sku": "HAT-1", "label": "", "price": "10.00", "in_stock": True}]}],
    "delivery_methods": [{"code": "pickup", "name": "Pickup", "needs_address": False}],
}
FORM = {"qty:HAT-1": "1", "full_name": "Ewa", "phone": "+48 600", "email": "e@example.com",
        "delivery_method": "pickup"}


def test_requests_are_stored_until_one_client_reaches_its_limit(tmp_path):
    (tmp_path / "snapshot.json").write_text(json.dumps(SNAPSHOT))
    (tmp_path / "state.json").write_text(json.dumps({"state": "down", "since": "2026-11-30T20:00:00+00:00"}))
    config = load(None, {"WATCH_SHOP_URL": "http://127.0.0.1:9", "WATCH_DATA_DIR": str(tmp_path),
                         "WATCH_LISTEN": "127.0.0.1:0"})
    watcher = Watcher(config)
    server = serve(watcher)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/request"
    try:
        answers = [httpx.post(url, data=FORM, headers={"X-Forwarded-For": "203.0.113.7"}, timeout=5)
                   for _ in range(PER_CLIENT + 1)]
        other = httpx.post(url, data=FORM, headers={"X-Forwarded-For": "198.51.100.2"}, timeout=5)
    finally:
        server.shutdown()
        server.server_close()
        watcher.client.close()

    assert [a.status_code for a in answers] == [200] * PER_CLIENT + [429]
    assert "please call or e-mail us" in answers[-1].text and other.status_code == 200
    stored = [json.loads(line) for line in (tmp_path / "requests.jsonl").read_text().splitlines()]
    assert len(stored) == PER_CLIENT + 1  # five from the first client, one from the other
    pairs = zip(stored[:PER_CLIENT], answers[:PER_CLIENT], strict=True)
    assert all(record["request_id"] in answer.text for record, answer in pairs)
