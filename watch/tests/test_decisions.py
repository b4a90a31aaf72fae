"""The watcher's own logic, without Django: hysteresis, strict configuration, the request form's validation."""

from pathlib import Path

import pytest

from watch.checks import DEGRADED, DOWN, UP, Hysteresis
from watch.config import ConfigError, load
from watch.web import request_validate


def run(hysteresis, rounds):
    return [change for change in map(hysteresis.observe, rounds) if change]


def test_down_only_after_n_failures_in_a_row_and_up_only_after_m_successes():
    h = Hysteresis(down_after=3, up_after=2)
    assert run(h, [DOWN, DOWN]) == [] and h.state == UP
    assert run(h, [DOWN]) == [(UP, DOWN)]
    assert run(h, [UP, DOWN, UP]) == [] and h.state == DOWN  # one good round is not a recovery
    assert run(h, [UP]) == [(DOWN, UP)]


def test_a_flapping_shop_gives_no_alerts():
    h = Hysteresis(down_after=3, up_after=2)
    assert run(h, [DOWN, DOWN, UP, DOWN, DOWN, UP, DOWN, UP, DOWN, DOWN, UP] * 5) == []


def test_degraded_and_down_rounds_mixed_confirm_the_lesser_problem():
    h = Hysteresis(down_after=3, up_after=2)
    assert run(h, [DEGRADED, DOWN, DOWN]) == [(UP, DEGRADED)]
    assert run(h, [DOWN, DOWN, DOWN]) == [(DEGRADED, DOWN)]
    assert run(h, [DEGRADED, DEGRADED]) == [(DOWN, DEGRADED)]
    assert run(h, [UP, UP]) == [(DEGRADED, UP)]


def test_environment_overrides_the_file_and_bad_values_stop_start_up_naming_them(tmp_path):
    path = tmp_path / "watch.toml"
    path.write_text('shop_url = "http://127.0.0.1:9/"\ndata_dir = "/tmp/x"\ndown_after = 4\n')
    config = load(path, {"WATCH_UP_AFTER": "5", "WATCH_INTERVAL_SECONDS": "0.5"})
    assert (config.shop_url, config.data_dir, config.down_after, config.up_after, config.interval_seconds) == (
        "http://127.0.0.1:9", Path("/tmp/x"), 4, 5, 0.5)

    with pytest.raises(ConfigError, match=r"variable WATCH_DOWN_AFTER='zero' is invalid: expected a whole number"):
        load(path, {"WATCH_DOWN_AFTER": "zero"})
    with pytest.raises(ConfigError, match=r"WATCH_UP_AFTER='0' is invalid: must be at least 1"):
        load(path, {"WATCH_UP_AFTER": "0"})
    with pytest.raises(ConfigError, match=r"WATCH_SHOP_URL='ftp://x' is invalid: expected an http"):
        load(path, {"WATCH_SHOP_URL": "ftp://x"})
    secret = tmp_path / "secret.toml"
    secret.write_text('shop_url = "http://127.0.0.1:9"\ndata_dir = "/tmp/x"\ntelegram_token = 12345\n')
    with pytest.raises(ConfigError, match=r"telegram_token=\(hidden\) is invalid") as raised:
        load(secret, {})
    assert "12345" not in str(raised.value)  # secrets are never echoed
    path.write_text('shop_url = "http://127.0.0.1:9"\ndata_dir = "/tmp/x"\ndown_afterr = 4\n')
    with pytest.raises(ConfigError, match="unknown key.*down_afterr"):
        load(path, {})
    with pytest.raises(ConfigError, match="shop_url is required"):
        load(None, {"WATCH_DATA_DIR": "/tmp/x"})


SNAPSHOT = {
    "products": [{"name": "Hat", "variants": [{"sku": "HAT-1", "label": "", "price": "10.00", "in_stock": True}]}],
    "delivery_methods": [{"code": "courier", "name": "Courier", "needs_address": True},
                         {"code": "pickup", "name": "Pickup", "needs_address": False}],
}


def test_request_form_needs_items_contact_and_an_address_for_delivery():
    good = {"qty:HAT-1": "2", "full_name": "Ewa", "phone": "+48 600", "email": "e@example.com",
            "delivery_method": "pickup"}
    fields, errors = request_validate(good, SNAPSHOT)
    assert errors == [] and fields["lines"] == [{"sku": "HAT-1", "quantity": 2}]

    _, errors = request_validate({**good, "delivery_method": "courier"}, SNAPSHOT)
    assert errors == ["Enter the delivery address (street, postcode, city)."]
    _, errors = request_validate({**good, "qty:HAT-1": "0", "email": "nope"}, SNAPSHOT)
    assert errors == ["Choose at least one item (a quantity above 0).", "Enter a valid e-mail address."]
    _, errors = request_validate({**good, "qty:OTHER": "1"}, SNAPSHOT)
    assert errors == ["Quantity for OTHER: enter a number from 0 to 99."]


def test_the_example_config_loads():
    config = load(Path(__file__).parents[1] / "watch.example.toml", {})
    assert config.down_after * config.interval_seconds <= 60 and config.listen_host_port == ("0.0.0.0", 8088)


def test_a_round_reads_down_degraded_and_up_from_the_shops_answers():
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    import httpx

    from watch.checks import check_round

    answers = {}

    class FakeShop(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):  # noqa: N802
            status, body = answers.get(self.path, (200, {}))
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeShop)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    fine = {"status": {"indicator": "none", "description": "All Systems Operational"}}
    beats = {"ok": True, "worker": {"ok": True, "age_seconds": 20}, "scheduler": {"ok": True, "age_seconds": 20}}
    try:
        with httpx.Client(timeout=5) as client:
            answers.update({"/status/api/v2/summary.json": (200, fine), "/readyz": (200, {"background": beats})})
            assert check_round(client, url, "/").state == UP
            stale = {**beats, "ok": False, "worker": {"ok": False, "age_seconds": 400}}
            answers["/readyz"] = (200, {"background": stale})
            assert check_round(client, url, "/").problems == ("worker: no heartbeat for 400 s",)
            answers["/readyz"] = (503, {"failing": ["database"]})
            result = check_round(client, url, "/")
            assert result.state == DOWN and result.problems == ("readyz: HTTP 503",)
    finally:
        server.shutdown()
        server.server_close()


def test_the_lifeboat_serves_only_photos_it_stored(tmp_path):
    import httpx

    from watch.lifeboat import Lifeboat

    config = load(None, {"WATCH_SHOP_URL": "http://127.0.0.1:9", "WATCH_DATA_DIR": str(tmp_path / "data")})
    (tmp_path / "secret.jpg").write_bytes(b"not yours")
    with httpx.Client() as client:
        lifeboat = Lifeboat(config, client)
    (tmp_path / "data" / "photos").mkdir()
    (tmp_path / "data" / "photos" / "0123456789abcdef0123.jpg").write_bytes(b"jpeg")
    assert lifeboat.photo("0123456789abcdef0123.jpg") == b"jpeg"
    assert lifeboat.photo("../../secret.jpg") is None and lifeboat.photo("..%2F..%2Fsecret.jpg") is None
    assert lifeboat.photo("fedcba98765432100123.jpg") is None


def test_python_m_watch_refuses_to_start_with_a_bad_setting_and_names_it(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "WATCH_SHOP_URL": "http://127.0.0.1:9", "WATCH_DATA_DIR": str(tmp_path),
           "WATCH_INTERVAL_SECONDS": "often"}
    done = subprocess.run([sys.executable, "-m", "watch"], cwd=Path(__file__).parents[2], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done
    assert "Environment variable WATCH_INTERVAL_SECONDS='often' is invalid: expected a number" in done.stderr
    assert not any(tmp_path.iterdir())  # nothing started, nothing written


def test_before_the_first_snapshot_the_page_shows_the_configured_contacts(tmp_path):
    import httpx

    from watch import pages
    from watch.lifeboat import Lifeboat

    config = load(None, {"WATCH_SHOP_URL": "http://127.0.0.1:9", "WATCH_DATA_DIR": str(tmp_path),
                         "WATCH_SHOP_NAME": "Corner Shop", "WATCH_SHOP_PHONE": "+48 22 000 11 22"})
    with httpx.Client() as client:
        page = pages.emergency(Lifeboat(config, client).snapshot(), {"since": "2026-11-30T20:00:00+00:00"})
    assert "Corner Shop: our website is temporarily down" in page and 'href="tel:+48220001122"' in page
    assert "Order request" not in page  # no catalog copy yet: contacts only
