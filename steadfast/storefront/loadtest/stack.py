"""The loopback stack `manage.py loadtest` measures when no --url is given: the demo shop (gunicorn, the Huey worker,
the fake payment gateways, all on 127.0.0.1) on SQLite in a temporary directory, with the demo catalog and stock
high enough that orders never run out. Nothing of the operator's own database, cache or gateways is touched."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
from django.conf import settings

from steadfast.fakes.management.commands.fakes import FAKES

MANAGE = Path(settings.BASE_DIR) / "manage.py"
READY_SECONDS = 90


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def loopback_shop(workers: int, threads: int):
    """Yields the base URL of a freshly set-up demo shop; stops every process it started and removes its files."""
    data_dir = Path(tempfile.mkdtemp(prefix="steadfast-loadtest-"))
    # The operator's database, cache and queue stay out of it: SQLite and SqliteHuey in the temporary directory.
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update({"STEADFAST_DATA_DIR": str(data_dir), "DEBUG": "0", "LOG_LEVEL": "WARNING",
                # One load generator is one IP address: the per-address limits would measure themselves.
                "RATELIMIT_ENABLE": "0"})
    process = None
    try:
        for command in (["migrate", "--noinput"], ["createcachetable"], ["collectstatic", "--noinput"],
                        ["demo_data"],
                        ["shell", "-c", "from steadfast.catalog.models import Variant; "
                                        "Variant.objects.update(stock=1_000_000)"]):
            subprocess.run([sys.executable, str(MANAGE), *command], env=env, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        port = _free_port()
        fakes = [arg for code in FAKES for arg in ("--fake-port", f"{code}={_free_port()}")]
        log = data_dir / "shop.log"  # a file, not a pipe: a pipe nobody reads would stall the shop when full
        with open(log, "wb") as output:
            process = subprocess.Popen(
                [sys.executable, str(MANAGE), "demo", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
                 "--threads", str(threads), *fakes],
                env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        _wait_ready(url, process, log)
        yield url
    finally:
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)  # the demo command stops its gunicorn, worker and fakes
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        shutil.rmtree(data_dir, ignore_errors=True)


def _wait_ready(url: str, process, log: Path) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the loopback shop stopped at start-up: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{url}/api/v1/products", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"the loopback shop did not answer within {READY_SECONDS} s")
