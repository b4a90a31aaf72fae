"""Steps of users, one bounded locust run each, and the capacity they show: the highest request rate of a step
with p99 under the target and no failed request."""

import csv
import html
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

SHOPPERS = Path(__file__).with_name("shoppers.py")


@dataclass
class Step:
    users: int
    requests: int
    failures: int
    rps: float
    p50_ms: float
    p99_ms: float
    report: Path

    def within(self, target_p99_ms: float) -> bool:
        return self.requests > 0 and self.failures == 0 and self.p99_ms < target_p99_ms


def user_steps(start: int, most: int) -> list[int]:
    """start, 2*start, 4*start, ... up to most (included)."""
    steps, users = [], max(1, start)
    while users < most:
        steps.append(users)
        users *= 2
    return steps + [most]


def step_run(url: str, users: int, seconds: int, out_dir: Path) -> Step:
    """One locust run (headless, bounded in users and time); its HTML report and CSV go to out_dir."""
    prefix = out_dir / f"step-{users:04d}-users"
    command = [sys.executable, "-m", "locust", "-f", str(SHOPPERS), "--headless", "-u", str(users),
               "-r", str(users), "-t", f"{seconds}s", "--host", url, "--csv", str(prefix),
               "--html", f"{prefix}.html", "--only-summary", "--loglevel", "ERROR", "--stop-timeout", "5"]
    # locust exits 1 when a request failed: that is a figure of the step, not a failure of the command.
    subprocess.run(command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=seconds + 60)
    with open(f"{prefix}_stats.csv") as handle:
        total = next(row for row in csv.DictReader(handle) if row["Name"] == "Aggregated")
    # Errors in a shopper's own code (a page without what it looks for) count as failures too.
    with open(f"{prefix}_exceptions.csv") as handle:
        exceptions = sum(int(row["Count"]) for row in csv.DictReader(handle))
    return Step(users=users, requests=int(total["Request Count"]),
                failures=int(total["Failure Count"]) + exceptions,
                rps=float(total["Requests/s"]), p50_ms=_ms(total["50%"]), p99_ms=_ms(total["99%"]),
                report=Path(f"{prefix}.html"))


def _ms(value: str) -> float:
    return float(value) if value not in ("", "N/A") else 0.0


def capacity(steps: list[Step], target_p99_ms: float) -> Step | None:
    good = [step for step in steps if step.within(target_p99_ms)]
    return max(good, key=lambda step: step.rps) if good else None


def report_write(path: Path, url: str, steps: list[Step], target_p99_ms: float, best: Step | None) -> None:
    """One HTML page: the capacity line, a row per step, a link to locust's own report of each step."""
    rows = "".join(
        f"<tr><td>{s.users}</td><td>{s.requests}</td><td>{s.failures}</td><td>{s.rps:.1f}</td>"
        f"<td>{s.p50_ms:.0f}</td><td>{s.p99_ms:.0f}</td><td>{'yes' if s.within(target_p99_ms) else 'no'}</td>"
        f'<td><a href="{html.escape(s.report.name)}">locust report</a></td></tr>'
        for s in steps
    )
    path.write_text(
        "<!doctype html><meta charset=utf-8><title>Steadfast load test</title>"
        "<style>body{font:15px system-ui;margin:2rem}td,th{padding:.3rem .8rem;text-align:right}</style>"
        f"<h1>Load test of {html.escape(url)}</h1><p><strong>{html.escape(capacity_line(best, target_p99_ms))}"
        f"</strong></p><p>{time.strftime('%Y-%m-%d %H:%M %Z')}, load average of this machine "
        f"{' '.join(f'{n:.1f}' for n in os.getloadavg())} at the end. Each step runs its shoppers for a fixed time; "
        "a step is within the target when its p99 is under it and no request or shopper failed.</p>"
        "<table><tr><th>users</th><th>requests</th><th>failures</th><th>req/s</th><th>p50 ms</th>"
        f"<th>p99 ms</th><th>within target</th><th></th></tr>{rows}</table>"
    )


def capacity_line(best: Step | None, target_p99_ms: float) -> str:
    if best is None:
        return f"Capacity: none of the steps kept p99 under {target_p99_ms:.0f} ms without errors"
    return (f"Capacity: {best.rps:.1f} requests/s with p99 {best.p99_ms:.0f} ms (target {target_p99_ms:.0f} ms) "
            f"and no errors, at {best.users} simultaneous shoppers")
