"""What measured uptime bars cost (issue 9 item 9): the status snapshot built from recorded checks.

90 days of history on a SQLite file of its own: a probe every 5 minutes for each online provider (Attempt rows),
a website check every minute (OriginCheck rows). Prints the time to build the snapshot cold (the measured-days
cache empty: it scans every attempt of the 90 days) and warm (that cache filled, as for 5 minutes after a cold
build), median of 5 each, beside the same build without any history. The snapshot itself is cached 15 s, so a
cold build happens at most once per 5 minutes per node. Nothing is asserted.
Run with `.venv/bin/python -m bench.status_uptime_bench`.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

DB = Path(tempfile.mkdtemp(prefix="steadfast-uptime-bench-")) / "bench.sqlite3"
os.environ.update(DATABASE_URL=f"sqlite:///{DB}", DJANGO_SETTINGS_MODULE="steadfast.settings")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django  # noqa: E402

django.setup()

from datetime import timedelta  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from steadfast.cachesafe import lenient_cache as cache  # noqa: E402
from steadfast.providers.models import Attempt, Provider  # noqa: E402
from steadfast.status.models import OriginCheck  # noqa: E402
from steadfast.status.snapshot import snapshot_build  # noqa: E402

DAYS, PROBE_MINUTES = 90, 5


def timed(cold):
    runs = []
    for _ in range(5):
        if cold:
            cache.clear()
        started = time.perf_counter()
        snapshot_build()
        runs.append((time.perf_counter() - started) * 1000)
    return statistics.median(runs)


def main():
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    online = [
        Provider.objects.create(kind="payment", code=f"bench-{n}", adapter="stripe", name=f"Gateway {n}", priority=n)
        for n in range(3)
    ]
    empty = (timed(True), timed(False))
    now = timezone.now()
    steps = DAYS * 24 * 60 // PROBE_MINUTES
    for provider in online:
        Attempt.objects.bulk_create(
            [Attempt(provider=provider, operation="probe", outcome="ok") for _ in range(steps)], batch_size=2000
        )
    for provider in online:
        ids = list(Attempt.objects.filter(provider=provider).order_by("id").values_list("id", flat=True))
        Attempt.objects.bulk_update(
            [Attempt(id=pk, created_at=now - timedelta(minutes=PROBE_MINUTES * i)) for i, pk in enumerate(ids)],
            ["created_at"],
            batch_size=2000,
        )
    OriginCheck.objects.bulk_create(
        [OriginCheck(created_at=now - timedelta(minutes=i), outcome="up") for i in range(DAYS * 24 * 60)],
        batch_size=2000,
    )
    full = (timed(True), timed(False))
    print(f"Status snapshot with measured uptime — SQLite file, {len(online)} online providers, {DAYS} days")
    print(f"  history: {Attempt.objects.count():,} attempts, {OriginCheck.objects.count():,} website checks")
    print(f"  no history : cold {empty[0]:7.1f} ms   warm {empty[1]:7.1f} ms")
    print(f"  90 days    : cold {full[0]:7.1f} ms   warm {full[1]:7.1f} ms   (cold/warm {full[0] / full[1]:.1f}x)")


if __name__ == "__main__":
    main()
