"""`manage.py loadtest`: run before a launch. Steps up simulated shoppers (browse, search, cart, checkout) and prints
the shop's capacity: the highest request rate with p99 under the target and no errors. Bounded in users and time.

Without --url it measures a loopback copy of the demo shop (fake gateways, SQLite in a temporary directory);
with --url it measures the shop the operator names (only one of your own: it places real orders there).
"""

import importlib.util
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

INSTALL_HINT = (
    "Locust is not installed. It is in the bench requirements: "
    ".venv/bin/pip install --require-hashes -r requirements/bench.txt"
)


class Command(BaseCommand):
    help = "Load-test the shop with Locust and print its capacity (see docs/launch.md)."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="", help="shop to test, e.g. https://staging.example.com "
                                                      "(default: start a loopback demo shop and test that)")
        parser.add_argument("--start-users", type=int, default=4, help="simultaneous shoppers of the first step")
        parser.add_argument("--max-users", type=int, default=64, help="shoppers of the last step (steps double)")
        parser.add_argument("--step-seconds", type=int, default=20, help="length of each step")
        parser.add_argument("--p99-ms", type=float, default=500, help="target: 99th percentile response time")
        parser.add_argument("--report", default="loadtest-report", help="directory for the HTML report")
        parser.add_argument("--workers", type=int, default=2, help="loopback shop: gunicorn workers")
        parser.add_argument("--threads", type=int, default=4, help="loopback shop: threads per worker")

    def handle(self, *args, url, start_users, max_users, step_seconds, p99_ms, report, workers, threads, **options):
        if importlib.util.find_spec("locust") is None:
            raise CommandError(INSTALL_HINT)
        for name, value, lowest, highest in (("--start-users", start_users, 1, 10_000),
                                             ("--max-users", max_users, 1, 10_000),
                                             ("--step-seconds", step_seconds, 2, 3_600)):
            if not lowest <= value <= highest:
                raise CommandError(f"{name} must be between {lowest} and {highest}, not {value}.")
        if start_users > max_users:
            raise CommandError("--start-users must not be more than --max-users.")
        if url and not url.startswith(("http://", "https://")):
            raise CommandError(f"--url must start with http:// or https://, not {url!r}.")
        from steadfast.storefront.loadtest.capacity import (
            capacity,
            capacity_line,
            report_write,
            step_run,
            user_steps,
        )
        from steadfast.storefront.loadtest.stack import loopback_shop

        out_dir = Path(report)
        out_dir.mkdir(parents=True, exist_ok=True)

        def run(target):
            listed = ", ".join(map(str, user_steps(start_users, max_users)))
            self.stdout.write(f"Load test of {target}: steps of {listed} shoppers, {step_seconds} s each, "
                              f"target p99 < {p99_ms:.0f} ms")
            self.stdout.write(f"{'users':>6} {'requests':>9} {'failures':>9} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7}")
            steps = []
            for users in user_steps(start_users, max_users):
                step = step_run(target, users, step_seconds, out_dir)
                steps.append(step)
                self.stdout.write(f"{step.users:>6} {step.requests:>9} {step.failures:>9} {step.rps:>8.1f} "
                                  f"{step.p50_ms:>7.0f} {step.p99_ms:>7.0f}")
                if step.requests and (step.failures or step.p99_ms >= p99_ms * 3):
                    break  # well past capacity: more shoppers would only measure the overload
            return steps

        started = time.monotonic()
        if url:
            steps, target = run(url.rstrip("/")), url
        else:
            self.stdout.write("Starting a loopback demo shop (fake gateways, SQLite in a temporary directory)...")
            try:
                with loopback_shop(workers, threads) as target:
                    steps = run(target)
            except RuntimeError as error:
                raise CommandError(str(error)) from None
        best = capacity(steps, p99_ms)
        index = out_dir / "index.html"
        report_write(index, target, steps, p99_ms, best)
        self.stdout.write(capacity_line(best, p99_ms))
        self.stdout.write(f"Report: {index.resolve()}  ({time.monotonic() - started:.0f} s)")
