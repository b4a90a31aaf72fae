"""Test helpers for waiting: poll for a condition with a generous bound, or move a clock the test controls.

Tests never sleep for a fixed time and never rely on a timing margin (the suite runs on busy machines):

    wait_until(lambda: outbox_row().status == "sent", describe="the confirmation e-mail to be sent")
    breaker_clock.advance(cooldown(provider) + 1)   # the breaker's cool-down is over, without waiting for it

A wait that gives up raises AssertionError naming what it waited for, for how long, and the last value (or
error) it saw, so a red CI log explains itself.
"""

import os
import time
from pathlib import Path

import pytest

from steadfast.env import env_int

# The bound of every wait: generous, because a passing test never gets near it and a busy machine (two cores shared
# with other builds) can make a Django process take ten seconds just to start.
WAIT_SECONDS = env_int("STEADFAST_TEST_WAIT", 60, 1)


def wait_until(predicate, *, describe, timeout=WAIT_SECONDS, every=0.05, ignore=(), show=repr):
    """Call predicate() until it returns something truthy, and return that.

    describe: what we wait for ("the worker to lease an e-mail"). ignore: exception classes that mean "not yet"
    (e.g. OSError while a server starts); the last one is reported if the wait gives up. show: how to print
    the last value seen.
    """
    deadline = time.monotonic() + timeout
    seen, error, polls = None, None, 0
    while True:
        polls += 1
        try:
            seen, error = predicate(), None
        except ignore as exc:
            seen, error = None, exc
        if seen and error is None:
            return seen
        if time.monotonic() >= deadline:
            last = f"last error: {error!r}" if error is not None else f"last value seen: {show(seen)}"
            raise AssertionError(f"gave up after {timeout} s ({polls} checks) waiting for {describe}; {last}")
        time.sleep(min(every, max(0.0, deadline - time.monotonic())))


class ManualClock:
    """Epoch seconds that only move when the test says so."""

    def __init__(self, start: float | None = None):
        self.now = time.time() if start is None else start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> float:
        self.now += seconds
        return self.now


@pytest.fixture
def breaker_clock(monkeypatch):
    """The breaker's time source (steadfast.providers.clock), frozen; `breaker_clock.advance(s)` moves it."""
    from steadfast.providers import clock

    manual = ManualClock()
    monkeypatch.setattr(clock, "now", manual)
    return manual


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now (the OS picks it)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def nginx_binary() -> str:
    """The Debian nginx binary; missing nginx is a failure with the fix, never a skip."""
    import os
    import shutil

    found = next((p for p in (shutil.which("nginx"), "/usr/sbin/nginx", "/usr/bin/nginx")
                  if p and os.access(p, os.X_OK)), None)
    if found is None:
        pytest.fail("nginx is not installed; install it with `apt-get install -y nginx` (the Debian package).")
    return found


def nginx_temp_paths(work) -> str:
    """The *_temp_path lines that keep an unprivileged nginx's temporary files under its own prefix."""
    return "\n".join(f"    {k}_temp_path {work}/{k};" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))


class NginxProcess:
    """A test-owned nginx: `NginxProcess(work, conf_text).start()` checks the config (nginx -t), starts it in the
    foreground (the config must say `daemon off;` and listen on `port`) and waits until it listens; stop() ends it."""

    def __init__(self, work, conf_text, port):
        from pathlib import Path

        self.work, self.port = Path(work), port
        self.work.mkdir(parents=True, exist_ok=True)
        self.conf = self.work / "nginx.conf"
        self.conf.write_text(conf_text)
        self.process = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        import socket
        import subprocess

        args = [nginx_binary(), "-p", str(self.work), "-e", str(self.work / "error.log"), "-c", str(self.conf)]
        check = subprocess.run([*args, "-t"], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

        def listening():
            if self.process.poll() is not None:
                raise AssertionError(f"nginx exited: {self.process.stderr.read()} {self.error_log()}")
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            return True

        wait_until(listening, describe=f"nginx to listen on 127.0.0.1:{self.port}", ignore=(OSError,))
        return self

    def error_log(self) -> str:
        log = self.work / "error.log"
        return log.read_text(errors="replace") if log.exists() else ""

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: the master shuts down at once, its workers with it
            self.process.wait(timeout=WAIT_SECONDS)


def browser_screenshot(page_or_element, tmp_path, name):
    """A screenshot (a page: all of it) in the test's folder; also kept in $STEADFAST_SHOTS_DIR when set, for a look."""
    options = {"full_page": True} if hasattr(page_or_element, "goto") else {}
    page_or_element.screenshot(path=str(tmp_path / name), **options)
    if os.environ.get("STEADFAST_SHOTS_DIR"):
        (Path(os.environ["STEADFAST_SHOTS_DIR"]) / name).write_bytes((tmp_path / name).read_bytes())


def admin_browser_login(page, user_model, username="boss"):
    """Make a superuser and log the browser page in to the admin as them."""
    user_model.objects.create_superuser(username, f"{username}@example.com", "boss-pass-123")
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", "boss-pass-123")
    page.click("input[type=submit]")
    page.wait_for_url(lambda url: "/admin/login" not in url)
