"""`manage.py fakes run` starts the message channels' fakes as the demo does: the shop sends through them over HTTP,
their /__messages__ pages show what arrived, and their callbacks (SMS receipts) come back to the running shop."""

import os
import signal
import socket
import subprocess
import sys

import httpx
import pytest
from django.conf import settings

from steadfast.fakes.channel_fakes import CHANNEL_FAKES, CHANNEL_SECRETS
from steadfast.notify.models import MessageChain, OutboxMessage
from steadfast.notify.tasks import outbox_sweep
from steadfast.notify.tests.conftest import fresh, message_add
from steadfast.providers.models import Provider
from steadfast.providers.secrets import provider_secret_env
from steadfast.testing import WAIT_SECONDS, wait_until

pytestmark = pytest.mark.django_db(transaction=True)
IGNORING_SIGINT = ("import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_IGN); "
                   "os.execv(sys.executable, [sys.executable, *sys.argv[1:]])")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def running_fakes(live_server, monkeypatch, tmp_path):
    for code, names in CHANNEL_SECRETS.items():  # the shop and the fakes' process read the same variables
        for name, value in names.items():
            monkeypatch.setenv(provider_secret_env(code, name), value)
    ports = {code: _free_port() for code in CHANNEL_FAKES}
    # Started with SIGINT ignored, as a background job of a script (CI) starts it: Ctrl-C must still stop it.
    argv = [sys.executable, "-c", IGNORING_SIGINT, str(settings.BASE_DIR / "manage.py"), "fakes", "run",
            "--shop-url", live_server.url]
    for code, port in ports.items():
        argv += ["--only", code, "--port", f"{code}={port}"]
    # Output to a file, never an unread pipe; PYTHONFAULTHANDLER so that a process that does not stop on Ctrl-C
    # writes every thread's stack there when sent SIGABRT (that is how the ignored-SIGINT case was found).
    log = tmp_path / "fakes-run.log"
    with log.open("wb") as out:
        process = subprocess.Popen(argv, cwd=settings.BASE_DIR, env={**os.environ, "PYTHONFAULTHANDLER": "1"},
                                   stdout=out, stderr=subprocess.STDOUT)
    try:
        for port in ports.values():
            wait_until(lambda p=port: httpx.get(f"http://127.0.0.1:{p}/__fault__").status_code == 200,
                       describe="the fakes' process to listen", ignore=(httpx.HTTPError,))
        for code, (_port, _factory, row) in CHANNEL_FAKES.items():
            Provider.objects.update_or_create(code=code, defaults={
                **row, "config": {**row["config"], "api_base": f"http://127.0.0.1:{ports[code]}"}})
        yield ports
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGABRT)  # the thread dump, then gone
            try:
                process.wait(timeout=WAIT_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
            raise AssertionError(f"`fakes run` did not stop within {WAIT_SECONDS} s of Ctrl-C; its output and "
                                 f"threads: {log.read_text(errors='replace')[-6000:]}") from None


def _received(port) -> list[dict]:
    return httpx.get(f"http://127.0.0.1:{port}/__messages__?json").json()["messages"]


def test_the_shop_sends_through_the_channel_fakes_of_fakes_run(running_fakes, settings, live_server):
    settings.SITE_URL = live_server.url
    settings.OUTBOX_CHANNEL_TRIES = 1  # a channel that is down: straight on to the next one
    Provider.objects.filter(code="email").update(enabled=False)
    MessageChain.objects.update_or_create(name="customer", defaults={"channels": "email,sms,telegram"})
    first = message_add("demo-1", addresses={"email": "ann@example.com", "sms": "+48 600 100 200"})
    assert outbox_sweep() == 1
    assert [m["to"] for m in _received(running_fakes["postmark"])] == ["ann@example.com"]
    assert "ann@example.com" in httpx.get(f"http://127.0.0.1:{running_fakes['postmark']}/__messages__").text

    # Both ESPs down (switched as staff would in a drill): the message goes by SMS and its receipt comes back.
    for code in ("postmark", "mailgun"):
        subprocess.run([sys.executable, str(settings.BASE_DIR / "manage.py"), "fakes", "fault", code, "status",
                        "--status", "503", "--port", str(running_fakes[code])], check=True, capture_output=True)
    second = message_add("demo-2", addresses={"email": "bob@example.com", "sms": "+48 600 100 201"})
    assert outbox_sweep() == 1
    assert [m["to"] for m in _received(running_fakes["smsru"])] == ["48600100201"]
    wait_until(lambda: fresh(second).delivered_at, describe="SMS.ru's receipt from the fakes' process")
    assert fresh(first).channel == "email" and OutboxMessage.objects.get(key="demo-2").channel == "sms"
