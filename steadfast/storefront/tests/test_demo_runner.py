"""`manage.py demo`: the admin login it prints works, and Ctrl-C stops the web server and the worker."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from io import StringIO
from pathlib import Path

from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.core.management import call_command

from steadfast.storefront.management.commands.demo import run_together

ROOT = Path(django_settings.BASE_DIR)


def run_demo_setup():
    out = StringIO()
    call_command("demo", "--no-serve", stdout=out)
    return re.search(r"Password:\s+(\S+)", out.getvalue()).group(1), out.getvalue()


def test_the_printed_admin_password_logs_in_and_stays_the_same(db, settings, tmp_path, client):
    settings.DATA_DIR = tmp_path
    password, output = run_demo_setup()
    again, _ = run_demo_setup()

    assert again == password
    assert (tmp_path / "admin-password.txt").read_text().strip() == password
    assert "http://127.0.0.1:8000/admin/" in output
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


def test_when_one_process_dies_the_other_is_stopped(tmp_path):
    marker = tmp_path / "still-running"
    sleeper = f"import time, pathlib; pathlib.Path({str(marker)!r}).touch(); time.sleep(60)"
    commands = {
        "sleeper": [sys.executable, "-c", sleeper],
        "crasher": [sys.executable, "-c", "import time; time.sleep(1); raise SystemExit(3)"],
    }
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
            demo.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            demo.kill()
            demo.communicate()
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


def test_demo_serves_the_shop_and_ctrl_c_stops_web_server_and_worker(tmp_path):
    port = _free_port()
    # The demo runs on its own SQLite in tmp_path, whatever database this test run uses; a browser test earlier in
    # the session may have set DJANGO_ALLOW_ASYNC_UNSAFE, which the demo must not inherit.
    dropped = ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(STEADFAST_DATA_DIR=str(tmp_path), DEBUG="0", STATIC_MANIFEST="0", SITE_URL=f"http://127.0.0.1:{port}")
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "createcachetable"], cwd=ROOT, env=env, check=True)
    demo = subprocess.Popen(
        [*manage, "demo", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        status = None
        for _ in range(150):
            status = _get(f"http://127.0.0.1:{port}/healthz")
            if status == 200:
                break
            time.sleep(0.2)
        assert status == 200
        # Generous: the first page renders cold templates on a machine that may be busy with other tests.
        assert _get(f"http://127.0.0.1:{port}/", timeout=60) == 200
        children = [pid for pid in _processes_mentioning(str(tmp_path)) if pid != demo.pid]
        assert len(children) >= 3  # gunicorn master and worker, run_huey

        demo.send_signal(signal.SIGINT)
        output, _ = demo.communicate(timeout=30)

        assert demo.returncode == 0, output
        assert "Demo stopped." in output
        assert _get(f"http://127.0.0.1:{port}/healthz") is None
        assert not _processes_mentioning(str(tmp_path))
    except BaseException:
        _stop(demo, tmp_path)  # leave no server or worker behind a failed test
        raise
