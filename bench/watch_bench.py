"""steadfast-watch's own cost, without the shop in the way (issue 15): the watcher as a process against a stand-in
shop in another process (watch/tests/fake_shop.py) and a fake Telegram Bot API (so each round also polls
getUpdates for /ack replies).

Prints: CPU and RSS of the watcher process idle with the example interval (20 s); CPU per round measured at a fast
interval (0.5 s); full rounds per second one thread sustains (checks + the SLA record fsync'd + getUpdates + alert
flush) side by side with bare check rounds (4 GETs). Figures for people; nothing is asserted. About 45 s.

    .venv/bin/python -m bench.watch_bench
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.watch_drill import cpu_seconds, rss_mib
from watch.checks import check_round
from watch.config import load
from watch.runner import Watcher
from watch.tests.fake_telegram import FakeTelegram
from watch.tests.test_outage import free_port, get
from watch.tests.waiting import wait_for

ROOT = Path(__file__).resolve().parent.parent
IDLE_SECONDS = float(os.environ.get("BENCH_IDLE_SECONDS", "20"))
FAST_SECONDS = float(os.environ.get("BENCH_FAST_SECONDS", "10"))
LOOP_SECONDS = float(os.environ.get("BENCH_LOOP_SECONDS", "5"))
SHOP = ("from watch.tests.fake_shop import FakeShop; import sys; s = FakeShop(); print(s.url, flush=True); "
        "sys.stdin.read()")  # serves until the bench closes its stdin


def watcher_process(shop_url, telegram, data_dir, interval):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WATCH_")}
    env.update(WATCH_SHOP_URL=shop_url, WATCH_DATA_DIR=str(data_dir), WATCH_INTERVAL_SECONDS=str(interval),
               WATCH_LISTEN=f"127.0.0.1:{port}", WATCH_TELEGRAM_API=telegram.url,
               WATCH_TELEGRAM_TOKEN=telegram.token, WATCH_TELEGRAM_CHAT_ID="-1")
    process = subprocess.Popen([sys.executable, "-m", "watch"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    wait_for(lambda: (r := get(f"http://127.0.0.1:{port}/watch/state.json")) is not None and r.status_code == 200,
             "the watcher to answer", timeout=30)
    return process


def rounds_recorded(data_dir) -> int:
    return sum(len(p.read_text().splitlines()) for p in Path(data_dir).glob("checks-*.jsonl"))


def measure(process, data_dir, seconds):
    cpu0, rounds0, t0 = cpu_seconds(process.pid), rounds_recorded(data_dir), time.monotonic()
    wait_for(lambda: time.monotonic() - t0 >= seconds, "the period", timeout=seconds + 5)
    elapsed = time.monotonic() - t0
    return cpu_seconds(process.pid) - cpu0, rounds_recorded(data_dir) - rounds0, elapsed, rss_mib(process.pid)


def stop(process):
    process.terminate()
    process.wait(timeout=30)


def main():
    work = Path(tempfile.mkdtemp(prefix="steadfast-watch-bench-"))
    shop = subprocess.Popen([sys.executable, "-c", SHOP], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True)
    shop_url = shop.stdout.readline().strip()
    telegram = FakeTelegram()
    try:
        idle = watcher_process(shop_url, telegram, work / "idle", 20)
        try:
            idle_cpu, idle_rounds, idle_elapsed, idle_rss = measure(idle, work / "idle", IDLE_SECONDS)
        finally:
            stop(idle)
        fast = watcher_process(shop_url, telegram, work / "fast", 0.5)
        try:
            fast_cpu, fast_rounds, fast_elapsed, fast_rss = measure(fast, work / "fast", FAST_SECONDS)
        finally:
            stop(fast)

        config = load(None, {"WATCH_SHOP_URL": shop_url, "WATCH_DATA_DIR": str(work / "loop"),
                             "WATCH_LISTEN": "127.0.0.1:0", "WATCH_TELEGRAM_API": telegram.url,
                             "WATCH_TELEGRAM_TOKEN": telegram.token, "WATCH_TELEGRAM_CHAT_ID": "-1"})
        watcher = Watcher(config)
        ticks, started = 0, time.monotonic()
        while time.monotonic() - started < LOOP_SECONDS:
            watcher.tick()
            ticks += 1
        tick_rate = ticks / (time.monotonic() - started)
        watcher.client.close()
        with httpx.Client(timeout=10) as client:
            bare, started = 0, time.monotonic()
            while time.monotonic() - started < LOOP_SECONDS:
                check_round(client, shop_url, "/")
                bare += 1
            bare_rate = bare / (time.monotonic() - started)
    finally:
        shop.stdin.close()
        shop.wait(timeout=10)
        telegram.close()
    per_round_ms = 1000 * fast_cpu / max(fast_rounds, 1)
    print("\nsteadfast-watch cost (stand-in shop in its own process, fake Telegram; shared machine)")
    print(f"  idle, interval 20 s, {idle_elapsed:.0f} s: CPU {100 * idle_cpu / idle_elapsed:.2f} %, "
          f"RSS {idle_rss:.1f} MiB, {idle_rounds} round(s)")
    print(f"  interval 0.5 s, {fast_elapsed:.0f} s: {fast_rounds} rounds, CPU {100 * fast_cpu / fast_elapsed:.1f} %, "
          f"{per_round_ms:.1f} ms CPU per round, RSS {fast_rss:.1f} MiB")
    print(f"  -> projected at interval 20 s: {per_round_ms / 20 / 10:.3f} % CPU")
    print(f"  full rounds/s, one thread (checks + fsync'd SLA record + getUpdates): {tick_rate:.1f}")
    print(f"  bare check rounds/s (4 GETs):                                      {bare_rate:.1f}  "
          f"(full / bare = {tick_rate / bare_rate:.2f})")


if __name__ == "__main__":
    main()
