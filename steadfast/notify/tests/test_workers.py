"""Real concurrency: two worker threads racing for the same messages, and a worker process killed with kill -9 in
the middle of a send. The receiving fake's ledger, not our rows, says how often a message arrived."""

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.db import connection, connections
from django.utils import timezone

from steadfast.notify.delivery import outbox_deliver
from steadfast.notify.models import DeliveryAttempt, OutboxMessage
from steadfast.notify.tests.conftest import chain, fresh, message_add

ROOT = Path(__file__).resolve().parents[3]
WAIT = 30


def wait_for(what, check, timeout=WAIT):
    deadline = time.monotonic() + timeout
    seen = None
    while time.monotonic() < deadline:
        seen = check()
        if seen:
            return seen
        time.sleep(0.05)
    raise AssertionError(f"gave up after {timeout} s waiting for {what}; last saw {seen!r}")


def test_two_workers_racing_for_the_same_messages_deliver_each_once(transactional_db, telegram_channel, telegram):
    chain("customer", "telegram")
    telegram.set_fault("slow", ms=50)  # widen the window between claim and send
    messages = [message_add(f"race-{n}", addresses={"telegram": f"chat-{n}"}) for n in range(8)]
    results, errors = [], []
    start = threading.Barrier(2)

    def worker():
        try:
            start.wait(10)
            for message in messages:  # both workers go for every message, in the same order
                results.append(outbox_deliver(message.pk))
        except Exception as error:  # noqa: BLE001  reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert sorted(m["to"] for m in telegram.messages) == sorted(f"chat-{n}" for n in range(8)), telegram.messages
    assert results.count(True) == 8 and results.count(False) == 8
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}


def _database_url():
    name = connections.settings["default"]["NAME"]
    if connection.vendor == "postgresql":
        return urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}"))
    return f"sqlite:///{name}"


def test_worker_killed_mid_send_loses_nothing_and_sends_once(transactional_db, telegram_channel, telegram, tmp_path):
    chain("customer", "telegram")
    message = message_add("order_confirmation:1", addresses={"telegram": "4242"})
    telegram.set_fault("hang")  # the request reaches the fake, which never answers: the worker is mid-send
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="steadfast.settings", DATABASE_URL=_database_url(),
               STEADFAST_DATA_DIR=str(tmp_path), OUTBOX_LEASE_SECONDS="60", PYTHONUNBUFFERED="1",
               HUEY_NAME=f"{os.environ.get('HUEY_NAME', 'steadfast')}-kill")
    worker = subprocess.Popen([sys.executable, "-m", "steadfast.notify.tests.workerkit", "deliver", str(message.pk)],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              start_new_session=True)
    try:
        wait_for("the worker's send to reach the fake", lambda: telegram.requests >= 1 or worker.poll() is not None)
        assert worker.poll() is None, worker.stdout.read().decode()[-2000:]
    finally:
        os.kill(worker.pid, signal.SIGKILL)  # no clean-up, no finally blocks in the worker: a crash
        worker.wait(WAIT)
    worker.stdout.close()

    row = fresh(message)
    assert row.status == "pending" and row.lease_token and row.lease_until > timezone.now()
    assert list(DeliveryAttempt.objects.filter(message=message).values_list("outcome", flat=True)) == ["sending"]
    assert outbox_deliver(message.pk) is False  # the dead worker's lease still holds: nobody sends meanwhile

    telegram.set_fault("ok")
    OutboxMessage.objects.filter(pk=message.pk).update(lease_until=timezone.now() - timedelta(seconds=1))  # time passes
    assert outbox_deliver(message.pk) is True
    assert outbox_deliver(message.pk) is False
    assert [m["to"] for m in telegram.messages] == ["4242"]  # once at the receiving end
    assert fresh(message).status == "sent"
    assert list(DeliveryAttempt.objects.filter(message=message).values_list("outcome", flat=True)) == [
        "sending", "sent"]
