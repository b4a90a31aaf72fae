"""kill -9 of the web and the worker process between payment steps: nothing lost, nothing doubled.

The real shop runs as subprocesses (manage.py runserver --noreload, manage.py run_huey) against the Stripe fake in
this process, on this run's test database: SQLite's test file (WAL, migrated already; conftest.py) or
PostgreSQL's test database, which the transactional fixture keeps committed and flushes afterwards.
Each test kills its processes in a finally block; every wait is bounded.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from steadfast.fakes.stripe import FakeStripe
from steadfast.fakes.testing import STRIPE_KEY, WEBHOOK_SECRET
from steadfast.payments.tests.conftest import csrf_token
from steadfast.providers.secrets import provider_secret_env
from steadfast.testing import WAIT_SECONDS, wait_until

WAIT = 2 * WAIT_SECONDS  # the bound of every wait here: each check may start a Django process on a busy machine

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(what, check, every=0.2):
    return wait_until(check, describe=what, every=every, timeout=WAIT)


class Shop:
    def __init__(self, tmp_path, fake, code):
        from django.db import connection, connections

        self.tmp, self.fake, self.code, self.processes = tmp_path, fake, code, []
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="steadfast.settings", STEADFAST_DATA_DIR=str(tmp_path),
                   OUTBOX_LEASE_SECONDS="10", EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
                   HUEY_NAME=f"{os.environ.get('HUEY_NAME', 'steadfast')}-crash-{code}",
                   CACHE_KEY_PREFIX=f"{os.environ.get('CACHE_KEY_PREFIX', 'steadfast')}-crash-{code}",
                   ALLOWED_HOSTS="127.0.0.1,localhost", SITE_URL=self.url, PYTHONUNBUFFERED="1",
                   STATIC_MANIFEST="0")
        env.update({provider_secret_env(code, "SECRET_KEY"): STRIPE_KEY,
                    provider_secret_env(code, "WEBHOOK_SECRET"): WEBHOOK_SECRET})
        name = connections.settings["default"]["NAME"]  # this run's test database (SQLite: a file)
        if connection.vendor == "postgresql":
            env["DATABASE_URL"] = urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}"))
        else:
            env["DATABASE_URL"] = f"sqlite:///{name}"
        self.env = env

    def kit(self, *args):
        try:
            done = subprocess.run([sys.executable, "-m", "steadfast.payments.tests.crashkit", *map(str, args)],
                                  cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=WAIT)
        except subprocess.TimeoutExpired as timeout:
            raise AssertionError(f"crashkit {args} still running after {WAIT} s; stderr: {timeout.stderr!r}") from None
        assert done.returncode == 0, f"crashkit {args} failed: {done.stderr[-3000:]}"
        return json.loads(done.stdout.strip().splitlines()[-1])

    def spawn(self, name, args, **env):
        log = open(self.tmp / f"{name}-{len(self.processes)}.log", "wb")
        process = subprocess.Popen([sys.executable, "manage.py", *args], cwd=ROOT, env={**self.env, **env},
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self.processes.append(process)
        return process

    def web(self):
        process = self.spawn("web", ["runserver", "--noreload", f"127.0.0.1:{self.port}"])
        wait_for("the web process", lambda: self._up() or process.poll() is not None)
        assert process.poll() is None, "the web process died at start"
        return process

    def _up(self):
        try:
            return httpx.get(f"{self.url}/healthz", timeout=1, trust_env=False).status_code == 200
        except httpx.HTTPError:
            return False

    def worker(self, **env):
        return self.spawn("worker", ["run_huey"], **env)

    @staticmethod
    def kill(process):
        os.kill(process.pid, signal.SIGKILL)  # no clean-up handlers, no finally blocks: a crash
        process.wait(WAIT)

    def stop_all(self):
        for process in self.processes:
            if process.poll() is None:
                os.kill(process.pid, signal.SIGKILL)
                process.wait(WAIT)
        # pytest shows a test's output only when it fails: then the end of each process's log tells what it saw.
        for log in sorted(self.tmp.glob("*.log")):
            print(f"--- {log.name} (last 40 lines)", *log.read_text(errors="replace").splitlines()[-40:], sep="\n")

    def settle(self, order):
        """Let everything in flight finish, then stop: "nothing more goes out" becomes a fact to assert, not a wait.

        Waits until no outbox row of the order is pending or leased, stops the web and worker processes (the worker
        finishes the task it runs), then runs reconciliation and the outbox sweep here to completion:
        whatever could still happen to this order has happened when this returns. Returns the order's state.
        """
        def quiet():
            outbox = self.kit("state", order["order"])["outbox"]
            return outbox if outbox and all(m["status"] == "sent" and not m["leased"] for m in outbox) else None

        wait_until(quiet, describe=f"every e-mail of order {order['number']} sent and no lease held",
                   show=lambda _: repr(self.kit("state", order["order"])), every=0.5, timeout=WAIT)
        for process in self.processes:
            if process.poll() is None:
                # Huey finishes the task in hand on SIGINT (its own handler); runserver gets SIGTERM, because a
                # process started in the background by a shell may inherit SIGINT ignored.
                process.send_signal(signal.SIGINT if "run_huey" in process.args else signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(WAIT)
            except subprocess.TimeoutExpired as timeout:
                raise AssertionError(f"{process.args} did not stop within {WAIT} s of SIGINT/SIGTERM") from timeout
        finished = self.kit("finish", order["order"])
        assert finished["did"] == {"delivered": 0, "resolved": 0, "refunded": 0}, f"left to do: {finished}"
        return finished["state"]

    def mails(self, key) -> int:
        """How many e-mails with this outbox key the worker sent (file backend: one file per connection)."""
        folder = self.tmp / "mail"
        files = folder.glob("*") if folder.exists() else []
        return sum(path.read_text(errors="replace").count(f"X-Steadfast-Key: {key}") for path in files)

    def pay_page(self, browser, order):
        """The customer chooses card payment on the order page; returns the fake's hosted page address."""
        page = browser.get(order["url"])
        assert page.status_code == 200
        answer = browser.post(f"/payments/order/{order['token']}/pay/",
                              data={"method": self.code, "csrfmiddlewaretoken": csrf_token(page.text)})
        assert answer.status_code == 302, answer.text[:500]
        return answer.headers["Location"]


@pytest.fixture
def shop(transactional_db, tmp_path):
    fake = FakeStripe(webhook_secret=WEBHOOK_SECRET, api_key=STRIPE_KEY).start()
    code = f"card-{uuid.uuid4().hex[:6]}"
    shop = None
    try:
        shop = Shop(tmp_path, fake, code)
        fake.webhook_url = f"{shop.url}/payments/webhooks/{code}/"
        order = shop.kit("setup", code, fake.url)
        with httpx.Client(base_url=shop.url, trust_env=False, timeout=WAIT) as browser:
            yield shop, order, browser
    finally:
        if shop is not None:
            shop.stop_all()
        fake.stop()


def settled(shop, order):
    """Once nothing is left to happen: paid once, one charge kept at the fake, the confirmation e-mail sent once."""
    state = shop.settle(order)
    assert state["status"] == "paid" and state["paid_events"] == 1
    assert state["payments"].count("succeeded") == 1
    assert [(c["order"], c["refunded"]) for c in shop.fake.charges()] == [(order["number"], 0)]
    paid = [m for m in state["outbox"] if m["kind"] == "order_paid"]
    assert len(paid) == 1 and paid[0]["status"] == "sent"
    assert shop.mails(f"order_paid:{order['order']}") == 1
    return state


def test_web_killed_after_the_customer_paid_the_webhook_retry_settles_it_once(shop):
    shop, order, browser = shop
    web, _worker = shop.web(), shop.worker()
    hosted = shop.pay_page(browser, order)

    shop.kill(web)
    with httpx.Client(trust_env=False, timeout=10) as customer:
        back = customer.post(hosted, data={"action": "pay"})  # the charge is made; its webhook finds no shop
    assert back.status_code == 303 and shop.fake.webhook_failures
    with pytest.raises(httpx.ConnectError):
        browser.get(back.headers["Location"])  # the return: the shop is down
    assert shop.kit("state", order["order"])["status"] == "pending_payment"

    shop.web()
    assert shop.fake.send_event(shop.fake.events[-1]) == 200  # the provider delivers its webhook again
    assert browser.get(back.headers["Location"], follow_redirects=True).status_code == 200  # the customer reloads
    shop.kit("enqueue", "reconcile")  # the worker's reconciliation finds nothing left to do
    wait_for("the confirmation e-mail", lambda: shop.mails(f"order_paid:{order['order']}"))
    settled(shop, order)


def test_worker_killed_holding_the_outbox_lease_the_mail_goes_out_once(shop):
    shop, order, browser = shop
    with socket.socket() as smtp:  # an SMTP server that accepts and never greets: the worker hangs holding the lease
        smtp.bind(("127.0.0.1", 0))
        smtp.listen(5)
        shop.web()
        worker = shop.worker(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                             EMAIL_PORT=str(smtp.getsockname()[1]))
        hosted = shop.pay_page(browser, order)
        with httpx.Client(trust_env=False, timeout=10) as customer:
            customer.post(hosted, data={"action": "pay"})  # the webhook reaches the shop: paid, e-mail queued
        # One worker thread: it hangs on the first e-mail of the order (placed or paid), holding its lease.
        wait_for("the worker to lease an e-mail", lambda: any(
            m["leased"] and m["status"] == "pending" for m in shop.kit("state", order["order"])["outbox"]))
        shop.kill(worker)
        assert shop.kit("state", order["order"])["status"] == "paid"

    shop.worker()
    shop.kit("enqueue", "sweep")  # too early: the dead worker's lease still holds

    def delivered():
        outbox = shop.kit("state", order["order"])["outbox"]
        if all(m["status"] == "sent" for m in outbox):
            return outbox
        shop.kit("enqueue", "sweep")  # what the every-minute sweep does
        return None

    outbox = wait_for("every e-mail after the lease expired", delivered, every=1)
    settled(shop, order)
    assert {m["kind"] for m in outbox} >= {"order_paid"} and len(outbox) >= 2
    for message in outbox:
        assert message["attempts"] == 1 and shop.mails(message["key"]) == 1, message


def test_worker_killed_during_reconciliation_the_next_worker_resolves_the_payment(shop):
    shop, order, browser = shop
    shop.web()
    answer = browser.get(order["url"])
    started = browser.post(f"/payments/order/{order['token']}/pay/",
                           data={"method": shop.code, "csrfmiddlewaretoken": csrf_token(answer.text)})
    hosted = started.headers["location"]
    shop.fake.webhook_url = "http://127.0.0.1:9/"  # the provider's webhook is lost on the way
    with httpx.Client(trust_env=False, timeout=10) as customer:
        customer.get(hosted)
        back = customer.post(hosted, data={"action": "pay"})  # paid at the provider
    shop.fake.set_fault("hang")  # and the provider hangs when the customer comes back
    page = browser.get(back.headers["location"], follow_redirects=True)
    assert "confirming your payment" in page.text.lower() and "Pay for your order" not in page.text
    assert shop.kit("state", order["order"])["payments"] == ["unknown"]

    shop.fake.set_fault("hang")  # the provider hangs while the worker asks it
    worker = shop.worker()
    seen = shop.fake.requests
    shop.kit("enqueue", "reconcile")
    wait_for("the worker's status query", lambda: shop.fake.requests > seen, every=0.05)
    shop.kill(worker)  # mid-run, holding the reconciliation lock
    shop.fake.set_fault("ok")

    shop.worker()

    def resolved():
        if shop.kit("state", order["order"])["status"] == "paid":
            return True
        shop.kit("enqueue", "reconcile")
        return False

    wait_for("the restarted worker to settle the payment", resolved, every=1)
    wait_for("the confirmation e-mail", lambda: shop.mails(f"order_paid:{order['order']}"))
    settled(shop, order)
    assert len(shop.fake.sessions) == 1
