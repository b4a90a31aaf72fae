"""The watcher runs with only what watch/requirements.txt installs: a fresh virtual environment holding exactly those
distributions (copied from this machine's, so no network is needed) starts `python -m watch`, watches a shop through
an outage and serves the emergency page. A module the watcher imports but the file does not list fails here."""

import re
import shutil
import subprocess
import sys
import sysconfig
from importlib.metadata import distribution
from pathlib import Path

import httpx

from watch.tests.fake_shop import FakeShop
from watch.tests.test_outage import free_port
from watch.tests.waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]


def listed(requirements: Path) -> list[str]:
    return re.findall(r"^([A-Za-z0-9._-]+)==", requirements.read_text(), re.MULTILINE)


def bare_venv(where: Path, names: list[str]) -> Path:
    """A venv without pip holding exactly `names` (files copied from this interpreter's installed distributions)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True)
    python = where / "bin" / "python"
    purelib = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                  capture_output=True, text=True, check=True).stdout.strip())
    here = Path(sysconfig.get_paths()["purelib"])
    for name in names:
        for file in distribution(name).files or []:
            source = Path(file.locate())
            if source.is_file() and here in source.parents:
                target = purelib / source.relative_to(here)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)
    return python


def test_the_watcher_runs_with_only_its_own_requirements(tmp_path):
    python = bare_venv(tmp_path / "venv", listed(ROOT / "watch" / "requirements.txt"))
    bare = subprocess.run([str(python), "-c", "import django"], capture_output=True, text=True)
    assert bare.returncode != 0, "the bare environment must not see the shop's packages"

    shop, data, port = FakeShop(), tmp_path / "data", free_port()
    env = {"PATH": "/usr/bin:/bin", "WATCH_SHOP_URL": shop.url, "WATCH_DATA_DIR": str(data),
           "WATCH_LISTEN": f"127.0.0.1:{port}", "WATCH_INTERVAL_SECONDS": "0.2", "WATCH_RECHECK_SECONDS": "0.1",
           "WATCH_DOWN_AFTER": "2", "WATCH_UP_AFTER": "1", "WATCH_SHOP_PHONE": "+48 600 100 200"}
    watcher = subprocess.Popen([str(python), "-m", "watch"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)

    def state() -> str:
        try:
            return httpx.get(f"http://127.0.0.1:{port}/watch/state.json", timeout=5).json()["state"]
        except (httpx.HTTPError, ValueError, KeyError):
            return ""

    try:
        wait_for(lambda: state() == "up" or watcher.poll() is not None, "the watcher's first round")
        assert watcher.poll() is None, watcher.stdout.read()
        shop.documents.pop("/healthz")  # the shop dies
        wait_for(lambda: state() == "down", "the watcher to see the shop down")
        page = httpx.get(f"http://127.0.0.1:{port}/", timeout=10)
        assert page.status_code == 503 and "+48 600 100 200" in page.text and "<svg" in page.text  # its QR code
        assert "orders placed before the outage are kept" in page.text  # the reassurance for who just ordered
    finally:
        watcher.terminate()
        watcher.wait(timeout=30)
        shop.close()
