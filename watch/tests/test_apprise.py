"""Apprise URLs (the optional extra, watch/requirements-apprise.txt) over real HTTP: Apprise's own json:// and
form:// schemas to a receiver on 127.0.0.1. Each URL is its own queue entry; a refusing one is retried alone."""

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from watch.alerts import Alerts
from watch.config import ConfigError, load
from watch.tests.fake_hook import FakeHook

ROOT = Path(__file__).resolve().parents[2]


def config_for(tmp_path, urls):
    return load(None, {"WATCH_SHOP_URL": "http://127.0.0.1:9", "WATCH_DATA_DIR": str(tmp_path),
                       "WATCH_TIMEOUT_SECONDS": "5", "WATCH_APPRISE_URLS": urls})


def test_apprise_urls_get_the_alert_text_and_a_refusing_one_is_retried_alone(tmp_path):
    working, down = FakeHook(), FakeHook()
    try:
        config = config_for(tmp_path, f"json://127.0.0.1:{working.port}/hook, form://127.0.0.1:{down.port}/form")
        down.failing = True
        with httpx.Client(timeout=5, trust_env=False) as client:
            alerts = Alerts(config, client)
            alerts.send("down", "🔴 Shop DOWN: http://shop — healthz: HTTP 502")
            assert [b["message"] for b in working.bodies("/hook")] == ["🔴 Shop DOWN: http://shop — healthz: HTTP 502"]
            assert down.refused == 1 and len(alerts.pending) == 1
            assert str(down.port) not in (tmp_path / "alerts-queue.json").read_text()  # no URLs (passwords) on disk
            alerts.flush()
            assert down.refused == 2 and down.bodies("/form") == []
            down.failing = False
            alerts.flush()
            alerts.flush()
        assert [(b["title"], b["message"]) for b in down.bodies("/form")] == [
            ("Shop down", "🔴 Shop DOWN: http://shop — healthz: HTTP 502")]
        assert len(working.bodies("/hook")) == 1 and alerts.pending == []
    finally:
        working.close()
        down.close()


def test_an_apprise_url_apprise_cannot_read_stops_start_up_without_echoing_it(tmp_path):
    with pytest.raises(ConfigError, match=r"WATCH_APPRISE_URLS=\(hidden\) is invalid: URL number 2 is not") as raised:
        config_for(tmp_path, "json://127.0.0.1:9/ok, nonsense://user:s3cret@host")
    assert "s3cret" not in str(raised.value)


def test_apprise_urls_without_the_apprise_package_stop_start_up_naming_the_setting(tmp_path):
    # The real entry point in its own process, with `import apprise` failing as on a watcher installed from
    # watch/requirements.txt alone.
    code = "import sys; sys.modules['apprise'] = None; from watch.__main__ import main; sys.exit(main())"
    env = {**os.environ, "WATCH_SHOP_URL": "http://127.0.0.1:9", "WATCH_DATA_DIR": str(tmp_path / "data"),
           "WATCH_APPRISE_URLS": "mailto://user:s3cret@mail.example"}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2, done
    assert ("Environment variable WATCH_APPRISE_URLS=(hidden) is invalid: Apprise URLs are set but the apprise "
            "package is not installed: pip install --require-hashes -r watch/requirements-apprise.txt") in done.stderr
    assert "s3cret" not in done.stderr and not (tmp_path / "data").exists()


def pins(path: Path) -> dict[str, tuple[str, frozenset]]:
    """name -> (version, hashes) of a hash-pinned requirements file."""
    text = path.read_text()
    return {name.lower(): (version, frozenset(re.findall(r"--hash=(\S+)", hashes)))
            for name, version, hashes in re.findall(r"^([A-Za-z0-9_.-]+)==(\S+) \\\n((?:\s+--hash=\S+(?: \\)?\n)+)",
                                                    text, re.M)}


def test_the_apprise_extra_pins_apprise_and_everything_it_needs_as_the_shops_lock_does():
    from importlib.metadata import requires

    extra, watcher = pins(ROOT / "watch/requirements-apprise.txt"), pins(ROOT / "watch/requirements.txt")
    lock = pins(ROOT / "requirements/base.txt")
    assert "-r requirements.txt" in (ROOT / "watch/requirements-apprise.txt").read_text().splitlines()
    assert all(lock[name] == pin for name, pin in extra.items())  # same versions and hashes as the shop
    needed, todo = set(), ["apprise"]
    while todo:  # apprise's dependency closure, as installed here (platform markers for other systems skipped)
        name = todo.pop()
        needed.add(name)
        for requirement in requires(name) or []:
            spec, _, marker = requirement.partition(";")
            dependency = re.split(r"[ <>=!~\[(]", spec.strip())[0].lower().replace("_", "-")
            if dependency not in needed and ("extra ==" not in marker and "platform_system" not in marker
                                             and "sys_platform" not in marker):
                todo.append(dependency)
    assert needed <= set(extra) | set(watcher), needed - set(extra) - set(watcher)
