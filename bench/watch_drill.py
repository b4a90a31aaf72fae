"""steadfast-watch drill (issue 15) with the example config (interval 20 s, down after 2, up after 2): the real shop
(gunicorn + Huey worker, SQLite in a temporary directory) and the real watcher as processes, a fake Telegram here.

Prints: seconds from killing every web process (kill -9, just after a healthy round: the worst phase) to the first
alert and to the lifeboat page answering; seconds from restart to the recovery alert and the lifeboat stepping back;
the watcher's CPU time and memory while idle; check rounds per second one watcher thread sustains against the live
shop. Figures for people; nothing is asserted. Target: fault to alert and to lifeboat <= 60 s.

    .venv/bin/python -m bench.watch_drill                     # about 3 minutes
    DRILL_INTERVAL=30 DRILL_DOWN_AFTER=2 .venv/bin/python -m bench.watch_drill
"""

import os
import tempfile
import time
from pathlib import Path

import httpx

from watch.checks import check_round
from watch.tests.fake_telegram import FakeTelegram
from watch.tests.test_outage import Shop, Watch, get
from watch.tests.waiting import wait_for

INTERVAL = os.environ.get("DRILL_INTERVAL", "20")
DOWN_AFTER = os.environ.get("DRILL_DOWN_AFTER", "2")
UP_AFTER = os.environ.get("DRILL_UP_AFTER", "2")
IDLE_SECONDS = float(os.environ.get("DRILL_IDLE_SECONDS", "60"))


def cpu_seconds(pid) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mib(pid) -> float:
    line = next(x for x in Path(f"/proc/{pid}/status").read_text().splitlines() if x.startswith("VmRSS"))
    return int(line.split()[1]) / 1024


def main():
    work = Path(tempfile.mkdtemp(prefix="steadfast-watch-drill-"))
    (work / "shop").mkdir()
    shop = Shop(work / "shop")
    print(f"preparing the shop in {work} ...", flush=True)
    shop.prepare()
    shop.start()
    shop.start_worker()
    telegram = FakeTelegram()
    watch = Watch(shop, work / "watch", telegram)
    watch.env.update(WATCH_INTERVAL_SECONDS=INTERVAL, WATCH_DOWN_AFTER=DOWN_AFTER, WATCH_UP_AFTER=UP_AFTER,
                     WATCH_SNAPSHOT_SECONDS="300", WATCH_TIMEOUT_SECONDS="10")
    watch.start()
    limit = 10 * float(INTERVAL) * max(int(DOWN_AFTER), int(UP_AFTER)) + 60
    try:
        wait_for(lambda: (watch.data_dir / "snapshot.json").exists(), "the first snapshot", timeout=limit)
        cpu0, t0 = cpu_seconds(watch.process.pid), time.monotonic()
        wait_for(lambda: time.monotonic() - t0 >= IDLE_SECONDS, "the idle period", timeout=IDLE_SECONDS + 5)
        idle_cpu = (cpu_seconds(watch.process.pid) - cpu0) / (time.monotonic() - t0) * 100
        rss = rss_mib(watch.process.pid)

        with httpx.Client(timeout=10) as client:
            rounds, started = 0, time.monotonic()
            while time.monotonic() - started < 5:
                check_round(client, shop.url, "/")
                rounds += 1
            rate = rounds / (time.monotonic() - started)

        last = watch.state()["checked_at"]
        wait_for(lambda: watch.state()["checked_at"] != last, "a healthy round", timeout=limit)
        shop.kill()
        killed = time.monotonic()
        wait_for(lambda: any("DOWN" in t for t in telegram.texts()), "the down alert", timeout=limit)
        to_alert = time.monotonic() - killed
        wait_for(lambda: (r := get(watch.url + "/")) is not None and r.status_code == 503, "the lifeboat",
                 timeout=limit)
        to_lifeboat = time.monotonic() - killed
        shop.start()
        restarted = time.monotonic()
        wait_for(lambda: any("back UP" in t for t in telegram.texts()), "the recovery alert", timeout=limit)
        to_back = time.monotonic() - restarted
        wait_for(lambda: (r := get(watch.url + "/")) is not None and r.status_code == 307, "the step back",
                 timeout=limit)
        to_step_back = time.monotonic() - restarted
    finally:
        for process in (watch.process, shop.process, shop.worker):
            if process.poll() is None:
                process.kill()
                process.wait()
        telegram.close()
    print(f"\nsteadfast-watch drill: interval {INTERVAL} s, down after {DOWN_AFTER}, up after {UP_AFTER}")
    print(f"  web processes killed -> first alert           {to_alert:6.1f} s  (target <= 60 s)")
    print(f"  web processes killed -> lifeboat page (503)   {to_lifeboat:6.1f} s  (target <= 60 s)")
    print(f"  restarted -> recovery alert                   {to_back:6.1f} s")
    print(f"  restarted -> lifeboat steps back (307)        {to_step_back:6.1f} s")
    print(f"  alerts sent: {len(telegram.texts())} ({', '.join(t.split(':')[0] for t in telegram.texts())})")
    print(f"  watcher idle over {IDLE_SECONDS:.0f} s: CPU {idle_cpu:.2f} %, RSS {rss:.1f} MiB")
    print(f"  check rounds/s (4 requests each, one thread, demo shop on SQLite): {rate:.1f}")


if __name__ == "__main__":
    main()
