"""The real shop (gunicorn, its own SQLite database) and the real watcher as separate processes, with a fake
Telegram on 127.0.0.1: kill the shop -> one "down" alert, the lifeboat page answers and takes an order request;
restart it -> one "back up" alert, the request is exactly one order in the shop, the lifeboat steps back."""

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from watch.tests.fake_telegram import FakeTelegram
from watch.tests.waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
TOKEN = "lifeboat-test-token-0123456789"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url, **kwargs):
    try:
        return httpx.get(url, timeout=5, **kwargs)
    except httpx.HTTPError:
        return None


class Shop:
    """A gunicorn shop on its own data dir; `kill()` takes down every web process at once (kill -9)."""

    def __init__(self, data_dir: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        self.env.update(STEADFAST_DATA_DIR=str(data_dir), LIFEBOAT_TOKEN=TOKEN, SITE_URL=self.url,
                        DJANGO_SETTINGS_MODULE="steadfast.settings", SHOP_PHONE="+48 22 555 01 02",
                        SHOP_EMAIL="help@lifeboat.example",
                        # The worker's synthetic checkout would (rightly) fail while the shop is killed and keep the
                        # status degraded after the restart; synthetic checkouts have their own tests.
                        SYNTHETIC_CHECKOUT_MINUTES="0")
        self.log = open(data_dir / "gunicorn.log", "ab")  # noqa: SIM115  closed in kill()
        self.process = None

    def manage(self, *args) -> str:
        done = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    def prepare(self):
        for command in (["migrate", "-v0"], ["createcachetable"], ["demo_data"], ["collectstatic", "--noinput",
                                                                                  "-v0"]):
            self.manage(*command)

    def start(self):
        self.process = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "steadfast.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
             "--workers", "1", "--threads", "4"], cwd=ROOT, env=self.env, stdout=self.log, stderr=self.log,
            start_new_session=True)
        wait_for(lambda: (r := get(self.url + "/healthz")) is not None and r.status_code == 200, "the shop to start",
                 seen=lambda: self.process.poll())

    def start_worker(self):
        """The Huey consumer: its heartbeats make /readyz say the background work runs (else: degraded)."""
        self.worker = subprocess.Popen([PYTHON, "manage.py", "run_huey"], cwd=ROOT, env=self.env, stdout=self.log,
                                       stderr=self.log, start_new_session=True)
        wait_for(lambda: (r := get(self.url + "/readyz")) is not None and r.json()["background"]["ok"],
                 "the worker's first heartbeat", seen=lambda: (r := get(self.url + "/readyz")) and r.json())

    def kill(self):
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def orders_from_lifeboat(self) -> list:
        code = ("import json; from steadfast.orders.models import Order; print(json.dumps(list(Order.objects.filter("
                "idempotency_key__startswith='lifeboat:').values_list('idempotency_key', 'number', 'status', "
                "'phone'))))")
        return json.loads(self.manage("shell", "-c", code).strip().splitlines()[-1])


class Watch:
    def __init__(self, shop: Shop, data_dir: Path, telegram: FakeTelegram):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data_dir = data_dir
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("WATCH_")}
        self.env.update(WATCH_SHOP_URL=shop.url, WATCH_SHOP_TOKEN=TOKEN, WATCH_DATA_DIR=str(data_dir),
                        WATCH_INTERVAL_SECONDS="0.2", WATCH_TIMEOUT_SECONDS="3", WATCH_DOWN_AFTER="3",
                        WATCH_UP_AFTER="2", WATCH_SNAPSHOT_SECONDS="1", WATCH_LISTEN=f"127.0.0.1:{self.port}",
                        WATCH_PUBLIC_URL=self.url, WATCH_TELEGRAM_API=telegram.url,
                        WATCH_TELEGRAM_TOKEN=telegram.token, WATCH_TELEGRAM_CHAT_ID="-100777")
        self.log = open(data_dir.parent / "watch.log", "ab")  # noqa: SIM115  closed by stop()
        self.process = None

    def start(self):
        self.process = subprocess.Popen([PYTHON, "-m", "watch"], cwd=ROOT, env=self.env, stdout=self.log,
                                        stderr=self.log)
        wait_for(lambda: self.state(), "the watcher to answer", seen=lambda: self.process.poll())

    def state(self) -> dict:
        response = get(self.url + "/watch/state.json")
        return response.json() if response is not None and response.status_code == 200 else {}

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        assert self.process.wait(timeout=30) == 0

    def records(self, name) -> list:
        path = self.data_dir / name
        return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


@pytest.fixture
def outage(tmp_path):
    (tmp_path / "shop").mkdir()
    shop = Shop(tmp_path / "shop")
    shop.prepare()
    shop.start()
    shop.start_worker()
    telegram = FakeTelegram()
    watch = Watch(shop, tmp_path / "watch", telegram)
    watch.start()
    yield shop, watch, telegram
    for process in (watch.process, shop.process, shop.worker):
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL) if process is not watch.process else process.kill()
            process.wait()
    telegram.close()
    print((tmp_path / "watch.log").read_text()[-3000:])


def test_shop_killed_alerts_once_lifeboat_takes_a_request_that_becomes_one_order_after_restart(outage):
    shop, watch, telegram = outage
    snapshot = wait_for(lambda: (watch.data_dir / "snapshot.json").exists() and json.loads(
        (watch.data_dir / "snapshot.json").read_text()), "the lifeboat snapshot", seen=watch.state)
    assert watch.state()["state"] == "up", watch.state()
    page = get(watch.url + "/")
    assert page.status_code == 307 and page.headers["location"] == shop.url + "/"  # steps back while the shop is up
    variant = next(v for p in snapshot["products"] for v in p["variants"] if v["in_stock"])

    shop.kill()  # the web processes die; the worker lives on, as when only gunicorn crashed
    wait_for(lambda: any("Shop DOWN" in t for t in telegram.texts()), "the down alert", seen=telegram.texts)
    page = wait_for(lambda: (r := get(watch.url + "/")) is not None and r.status_code == 503 and r,
                    "the emergency page", seen=watch.state)
    assert "our website is temporarily down" in page.text
    assert "+48 22 555 01 02" in page.text and "help@lifeboat.example" in page.text
    assert f'name="qty:{variant["sku"]}"' in page.text
    photo = page.text.split('<img src="', 1)[1].split('"', 1)[0]  # the photos were copied while the shop was up
    answer = httpx.get(watch.url + photo, timeout=5)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("image/") and answer.content

    form = {f"qty:{variant['sku']}": "1", "full_name": "Jan Kowalski", "phone": "+48 601 222 333",
            "email": "jan@example.com", "delivery_method": "pickup", "note": "call after 5 pm"}
    refused = httpx.post(watch.url + "/request", data={**form, "email": "not-an-address"}, timeout=5)
    assert refused.status_code == 422 and "Enter a valid e-mail address." in refused.text
    taken = httpx.post(watch.url + "/request", data=form, timeout=5)
    assert taken.status_code == 200 and "your order request is received" in taken.text
    [request] = watch.records("requests.jsonl")
    assert request["request_id"] in taken.text and request["lines"] == [{"sku": variant["sku"], "quantity": 1}]
    wait_for(lambda: any(request["request_id"] in t and "+48 601 222 333" in t for t in telegram.texts()),
             "staff told about the request while the shop is down", seen=telegram.texts)

    shop.start()
    wait_for(lambda: any("Shop back UP" in t for t in telegram.texts()), "the recovery alert", seen=telegram.texts)
    wait_for(lambda: watch.records("pushed.jsonl"), "the request pushed into the shop",
             seen=lambda: watch.records("requests.jsonl"))
    wait_for(lambda: any("now orders awaiting confirmation" in t for t in telegram.texts()),
             "staff told about the new order", seen=telegram.texts)
    [order] = shop.orders_from_lifeboat()
    assert order[0] == f"lifeboat:{request['request_id']}" and order[2] == "awaiting_offline_payment"
    assert order[3] == "+48 601 222 333" and order[1] in " ".join(telegram.texts())
    assert get(watch.url + "/").status_code == 307  # the lifeboat steps back

    # The ledger write after a push is lost (crash): the watcher pushes again, the shop keeps one order.
    watch.stop()
    (watch.data_dir / "pushed.jsonl").unlink()
    watch.start()
    wait_for(lambda: watch.records("pushed.jsonl"), "the request pushed again after the restart")
    assert watch.records("pushed.jsonl")[0]["created"] is False
    assert shop.orders_from_lifeboat() == [order]

    texts = telegram.texts()
    assert sum("Shop DOWN" in t for t in texts) == 1 and sum("Shop back UP" in t for t in texts) == 1, texts
    assert sum("now orders awaiting confirmation" in t for t in texts) == 1, texts
    assert all(m["chat_id"] == "-100777" for m in telegram.messages)
