"""The emergency page in the visitor's language, with QR codes that encode the shop's contacts."""

import re
import threading

import httpx
import pytest

from watch.config import load
from watch.runner import Watcher
from watch.store import write_atomic
from watch.web import serve

SNAPSHOT = b"""{"shop": {"name": "Sklep", "phone": "+48 22 555 01 02", "email": "help@sklep.example",
 "currency": "PLN"},
 "products": [{"name": "Hat", "category": "Hats", "variants": [{"sku": "HAT-1", "label": "", "price": "10.00",
 "in_stock": true}]}], "delivery_methods": [{"code": "pickup", "name": "Pickup", "needs_address": false}]}"""


@pytest.fixture
def lifeboat(tmp_path):
    write_atomic(tmp_path / "snapshot.json", SNAPSHOT)
    write_atomic(tmp_path / "state.json", b'{"state": "down", "since": "2026-11-30T20:00:00+00:00"}')
    config = load(None, {"WATCH_SHOP_URL": "http://127.0.0.1:9", "WATCH_DATA_DIR": str(tmp_path),
                         "WATCH_LISTEN": "127.0.0.1:0", "WATCH_MESSENGERS": "Telegram=https://t.me/sklep",
                         "WATCH_OUTAGE_NOTE": "Back by 22:00"})
    server = serve(Watcher(config))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with httpx.Client(base_url=f"http://127.0.0.1:{server.server_address[1]}", trust_env=False, timeout=5) as c:
        yield c
    server.shutdown()
    server.server_close()


def test_language_from_the_browser_or_the_link(lifeboat):
    english = lifeboat.get("/").text
    assert "our website is temporarily down" in english and 'lang="en"' in english and "Back by 22:00" in english
    polish = lifeboat.get("/", headers={"Accept-Language": "pl-PL,pl;q=0.9,en;q=0.5"}).text
    assert "Sklep: nasza strona jest chwilowo niedostępna" in polish and "Wyślij prośbę o zamówienie" in polish
    russian = lifeboat.get("/", params={"lang": "ru"}, headers={"Accept-Language": "pl"}).text
    assert "Sklep: наш сайт временно недоступен" in russian and 'lang="ru"' in russian
    refused = lifeboat.post("/request?lang=ru", data={"qty:HAT-1": "1", "delivery_method": "pickup"})
    assert refused.status_code == 422 and "Поле «Ваше имя» обязательно." in refused.text


def test_qr_codes_for_phone_email_and_messengers(lifeboat):
    html = lifeboat.get("/").text
    assert len(re.findall(r"<svg[^>]*class=\"segno\"", html)) == 3
    assert 'href="https://t.me/sklep"' in html and "Scan to call" in html
    import segno

    expected = segno.make("tel:+48225550102", error="m").svg_inline(scale=4, border=2)
    assert expected in html  # the code encodes exactly the tap-to-call number
