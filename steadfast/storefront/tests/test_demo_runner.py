"""`manage.py demo`: the admin login it prints works, and Ctrl-C stops the web server and the worker."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import urllib.request
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from steadfast.providers.models import Provider, ProviderAudit
from steadfast.storefront.management.commands.demo import (
    demo_gateway_mismatches,
    demo_gateways_ensure,
    fake_ports_choose,
    run_together,
)
from steadfast.testing import WAIT_SECONDS, wait_until

ROOT = Path(django_settings.BASE_DIR)


def run_demo_setup():
    out = StringIO()
    call_command("demo", "--no-serve", stdout=out)
    return re.search(r"Password:\s+(\S+)", out.getvalue()).group(1), out.getvalue()


def test_the_printed_admin_password_logs_in_and_stays_the_same(db, settings, tmp_path, client):
    settings.DATA_DIR = tmp_path
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"  # the demo's (tests use locmem)
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    password, output = run_demo_setup()
    again, _ = run_demo_setup()

    assert again == password
    assert (tmp_path / "admin-password.txt").read_text().strip() == password
    assert "http://127.0.0.1:8000/admin/" in output
    assert re.search(r"E-mails:\s+" + re.escape(str(settings.EMAIL_FILE_PATH)) + "/", output), output
    assert client.post("/admin/login/?next=/admin/", {"username": "admin", "password": password}).status_code == 302
    assert client.get("/admin/").status_code == 200
    assert User.objects.filter(username="admin").count() == 1


def test_an_admin_whose_password_was_changed_gets_the_stored_one_back(db, settings, tmp_path, client):
    settings.DATA_DIR = tmp_path
    password, _ = run_demo_setup()
    user = User.objects.get(username="admin")
    user.set_password("something else entirely")
    user.is_staff = False
    user.save()

    run_demo_setup()

    assert client.login(username="admin", password=password)
    assert client.get("/admin/").status_code == 200


def test_gateways_are_registered_on_the_fakes_once_and_an_operators_address_is_kept(db):
    assert demo_gateways_ensure() == {code: f"http://127.0.0.1:{port}" for code, port in
                                      (("stripe", 8811), ("paypal", 8812), ("yookassa", 8813), ("cdek", 8821),
                                       ("inpost", 8822), ("easypost", 8823), ("telegram", 8831), ("smsru", 8832),
                                       ("twilio", 8833), ("postmark", 8834), ("mailgun", 8835))}
    demo_gateways_ensure()
    assert Provider.objects.filter(code__in=("stripe", "paypal", "yookassa")).count() == 3
    assert not ProviderAudit.objects.exists()

    # An operator put a proxy on another loopback port in front of the PayPal fake: a restart keeps it.
    Provider.objects.filter(code="paypal").update(config={"api_base": "http://127.0.0.1:9912"})
    bases = demo_gateways_ensure()
    assert bases["paypal"] == "http://127.0.0.1:9912"
    assert Provider.objects.get(code="paypal").config == {"api_base": "http://127.0.0.1:9912"}
    assert not ProviderAudit.objects.exists()
    assert demo_gateway_mismatches(bases) == {"paypal": "http://127.0.0.1:8812"}

    # A row without api_base gets the fake's address, with an audit row.
    Provider.objects.filter(code="yookassa").update(config={"read_timeout": 5})
    assert demo_gateways_ensure({"yookassa": 9913})["yookassa"] == "http://127.0.0.1:9913"
    assert ProviderAudit.objects.get().details == {"key": "api_base", "old": None, "new": "http://127.0.0.1:9913"}
    # Secrets never reach the database: only api_base is configured.
    assert [p.config for p in Provider.objects.filter(code="stripe")] == [{"api_base": "http://127.0.0.1:8811"}]


def test_a_taken_default_port_is_replaced_by_a_free_one_and_a_taken_chosen_port_is_refused():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        spare = _free_port()
        ports, moved = fake_ports_choose({}, defaults={"stripe": taken, "paypal": spare})
        assert ports["paypal"] == spare and moved == {"stripe": taken}
        assert ports["stripe"] not in (taken, spare) and ports["stripe"] > 0
        with socket.socket() as probe:  # the port picked instead is really free
            probe.bind(("127.0.0.1", ports["stripe"]))
        with pytest.raises(CommandError, match=f"Port {taken} for the fake stripe is taken"):
            fake_ports_choose({"stripe": taken}, defaults={"stripe": 8811})


def test_a_gateway_pointed_at_a_real_api_is_left_alone(db):
    Provider.objects.create(kind="payment", code="stripe", adapter="stripe", name="Card",
                            config={"api_base": "https://api.stripe.com"})
    assert demo_gateways_ensure()["stripe"] == "https://api.stripe.com"
    assert not ProviderAudit.objects.exists()


def test_when_one_process_dies_the_other_is_stopped(tmp_path):
    marker = tmp_path / "still-running"
    sleeper = f"import time, pathlib; pathlib.Path({str(marker)!r}).touch(); time.sleep(300)"
    # The crasher dies once the sleeper is surely running (its marker exists), however slowly either starts.
    crasher = (f"import pathlib, time\ndeadline = time.monotonic() + {WAIT_SECONDS}\n"
               f"while not pathlib.Path({str(marker)!r}).exists() and time.monotonic() < deadline:\n"
               f"    time.sleep(0.05)\nraise SystemExit(3)")
    commands = {"sleeper": [sys.executable, "-c", sleeper], "crasher": [sys.executable, "-c", crasher]}
    assert run_together(commands, cwd=tmp_path, stderr=StringIO()) == "crasher"
    assert marker.exists()
    assert not _processes_mentioning(str(marker))


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _processes_mentioning(text):
    """PIDs whose command line or environment contains text (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            blob = (entry / "cmdline").read_bytes() + (entry / "environ").read_bytes()
        except OSError:
            continue
        if text.encode() in blob:
            found.append(int(entry.name))
    return found


def _stop(demo, tmp_path):
    """After a failed assertion: stop the runner, and the server and worker if they outlived it."""
    if demo.poll() is None:
        demo.send_signal(signal.SIGINT)
        try:
            demo.wait(timeout=2 * WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            demo.kill()
            demo.wait()
    for pid in _processes_mentioning(str(tmp_path)):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _get(url, timeout=5):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except OSError:  # refused, reset or timed out: nothing usable answers
        return None


def _get_json(url, timeout=5):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return json.load(response)
    except OSError:
        return None


def test_demo_serves_the_shop_and_ctrl_c_stops_web_server_worker_and_fakes(tmp_path):
    port = _free_port()
    fake_ports = {name: _free_port() for name in ("stripe", "paypal", "yookassa")}
    # The demo runs on its own SQLite in tmp_path, whatever database this test run uses; a browser test earlier in
    # the session may have set DJANGO_ALLOW_ASYNC_UNSAFE, which the demo must not inherit.
    dropped = ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(STEADFAST_DATA_DIR=str(tmp_path), DEBUG="0", STATIC_MANIFEST="0", SITE_URL=f"http://127.0.0.1:{port}")
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    made = subprocess.run([*manage, "createcachetable", "--verbosity", "0"], cwd=ROOT, env=env, check=True,
                           capture_output=True, text=True)
    assert made.stdout == "", made.stdout  # as make demo runs it: no "Cache table already exists" on every start
    # Output to a file, read at the end: an unread pipe fills with request logs on a slow start and blocks the demo.
    log = tmp_path / "demo-output.log"
    with log.open("wb") as out:
        demo = subprocess.Popen(
            [*manage, "demo", "--bind", f"127.0.0.1:{port}", "--workers", "1",
             *[f"--fake-port={name}={fake_port}" for name, fake_port in fake_ports.items()]],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        wait_until(lambda: _get(f"http://127.0.0.1:{port}/healthz") == 200 or demo.poll() is not None,
                   describe=f"the demo to answer /healthz on port {port}", timeout=2 * WAIT_SECONDS)
        assert demo.poll() is None, f"the demo runner exited at start: {log.read_text(errors='replace')[-2000:]}"
        # Generous: the first page renders cold templates on a machine that may be busy with other tests.
        assert _get(f"http://127.0.0.1:{port}/", timeout=60) == 200
        children = [pid for pid in _processes_mentioning(str(tmp_path)) if pid != demo.pid]
        assert len(children) >= 4  # gunicorn master and worker, run_huey, the fakes
        for name, fake_port in fake_ports.items():
            answer = wait_until(lambda fake_port=fake_port: _get_json(f"http://127.0.0.1:{fake_port}/__fault__"),
                                describe=f"the {name} fake to answer on port {fake_port}")
            assert answer["fault"]["mode"] == "ok", (name, answer)
        # The shop's providers point at those fakes (secrets come from the environment, not the database).
        listing = subprocess.run([*manage, "providers", "list"], cwd=ROOT, env=env, capture_output=True, text=True,
                                 check=True).stdout
        assert all(name in listing for name in fake_ports)

        demo.send_signal(signal.SIGINT)
        demo.wait(timeout=2 * WAIT_SECONDS)
        output = log.read_text(errors="replace")

        assert demo.returncode == 0, output
        assert "Demo stopped." in output
        assert re.search(r"E-mails:\s+" + re.escape(str(tmp_path / "mail")) + "/", output), output
        assert _get(f"http://127.0.0.1:{port}/healthz") is None
        assert all(_get_json(f"http://127.0.0.1:{p}/__fault__") is None for p in fake_ports.values())
        assert not _processes_mentioning(str(tmp_path))
    except BaseException:
        _stop(demo, tmp_path)  # leave no server or worker behind a failed test
        raise
