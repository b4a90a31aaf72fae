"""A failed round is re-checked after recheck_seconds instead of a full interval: with a 60 s interval and
down_after = 2 the lifeboat steps in long before the two minutes two full rounds would take."""

import threading

import httpx

from watch.config import load
from watch.runner import Watcher
from watch.tests.fake_shop import FakeShop
from watch.tests.waiting import wait_for
from watch.web import serve


def test_a_failed_round_is_rechecked_soon_and_the_lifeboat_steps_in_well_before_two_intervals(tmp_path):
    shop = FakeShop()
    shop.documents.pop("/healthz")  # dead from the first round on
    config = load(None, {"WATCH_SHOP_URL": shop.url, "WATCH_DATA_DIR": str(tmp_path), "WATCH_LISTEN": "127.0.0.1:0",
                         "WATCH_INTERVAL_SECONDS": "60", "WATCH_RECHECK_SECONDS": "0.2", "WATCH_DOWN_AFTER": "2",
                         "WATCH_TIMEOUT_SECONDS": "5", "WATCH_SHOP_NAME": "Corner Shop"})
    watcher, stop = Watcher(config), threading.Event()
    server = serve(watcher)
    loop = threading.Thread(target=watcher.run, args=(stop, server), daemon=True)
    loop.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        page = wait_for(lambda: (r := httpx.get(url, timeout=5, trust_env=False)).status_code == 503 and r,
                        "the lifeboat page (a 60 s interval would take 60 s)", timeout=30,
                        seen=lambda: watcher.state_document())
        assert "Corner Shop: our website is temporarily down" in page.text
        assert watcher.round_delay() == 60  # confirmed: back to the normal cadence
    finally:
        stop.set()
        loop.join(timeout=30)
        shop.close()
    assert not loop.is_alive()
