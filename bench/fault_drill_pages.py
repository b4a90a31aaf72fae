"""The fault drill's "unrelated page while a gateway hangs" figure, measured apart from the machine's own load.

The drill's first figure (idle before/after against the whole hang phase) compares an idle shop with one where two
customers also go on to pay with PayPal, on a machine other people load as well. Here rounds alternate instead:

    idle window   the same unrelated page fetched back to back by 2 clients, no payment in flight (IDLE_SECONDS)
    hang window   the same clients while CUSTOMERS card customers' Pay requests hang at the gateway: sampled from
                  the moment they press Pay until the last answer (the payment step budget), nothing else

idle, hang, idle, hang, ..., idle (ROUNDS hang windows). Per window it records the machine's CPU busy share
(/proc/stat), the CPU the web server (gunicorn master and workers) and the Huey worker used (/proc/<pid>/stat)
and the load average, so a slow window can be told apart: the shop working harder, or the machine being busier.
The noise floor is the same p99 ratio between idle windows (even against odd rounds).
"""

import os
import statistics
import threading
import time
from dataclasses import dataclass, field

import httpx

IDLE_SECONDS = 8
ROUNDS = int(os.environ.get("DRILL_HANG_ROUNDS", "3"))
CUSTOMERS = 2
TICK = os.sysconf("SC_CLK_TCK")


def _process_cpu(pid) -> float:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def _children(parent) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    if int(stat.read().rsplit(")", 1)[1].split()[1]) == parent:
                        found.append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    return found


def _machine() -> tuple[int, int]:
    with open("/proc/stat") as stat:
        numbers = [int(n) for n in stat.readline().split()[1:]]
    idle = numbers[3] + numbers[4]  # idle + iowait
    return sum(numbers) - idle, sum(numbers)


@dataclass
class Window:
    kind: str
    samples: list = field(default_factory=list)
    seconds: float = 0.0
    busy: float = 0.0  # share of all cores busy, whoever used them
    web_cpu: float = 0.0  # CPU seconds per second used by gunicorn (master and workers)
    worker_cpu: float = 0.0  # ... and by the Huey worker
    load: float = 0.0


class Meter:
    """CPU use over one window: the whole machine, the web server's processes and the worker's."""

    def __init__(self, processes):
        self.roots = [p.pid for p in processes]  # gunicorn master, Huey worker

    def _cpu(self):
        return [sum(_process_cpu(pid) for pid in {root, *_children(root)}) for root in self.roots]

    def __enter__(self):
        self.started, self.machine, self.shop = time.monotonic(), _machine(), self._cpu()
        return self

    def close(self, window: Window):
        busy, total = _machine()
        window.seconds = time.monotonic() - self.started
        window.busy = (busy - self.machine[0]) / max(total - self.machine[1], 1)
        web, worker = (now - then for now, then in zip(self._cpu(), self.shop, strict=True))
        window.web_cpu, window.worker_cpu = web / window.seconds, worker / window.seconds
        window.load = os.getloadavg()[0]

    def __exit__(self, *exc):
        return False


def p99(samples):
    return statistics.quantiles(samples, n=100)[98] * 1000 if len(samples) > 2 else float("nan")


def idle_window(page_latencies, meter) -> Window:
    window = Window("idle")
    with meter as m:
        window.samples = page_latencies(IDLE_SECONDS)
        m.close(window)
    return window


def hang_window(drill, page_latencies, reset, meter, shop, methods, csrf) -> Window:
    """CUSTOMERS fresh card orders; their Pay presses go out together while the card gateway hangs."""
    reset(drill)
    browsers, forms = [], []
    for _ in range(CUSTOMERS):
        order = drill.order()
        browser = httpx.Client(base_url=shop, trust_env=False, timeout=60)
        page = browser.get(order.get_absolute_url()).text
        if ("stripe", "") not in methods.findall(page):
            raise SystemExit("card not offered on a fresh order after the breaker reset")
        browsers.append(browser)
        forms.append((order, csrf.search(page).group(1)))
    drill.stripe.set_fault("hang")
    window, done, answered = Window("hang"), threading.Event(), []

    def press(browser, order, token):
        started = time.perf_counter()
        browser.post(f"/payments/order/{order.token}/pay/", data={"method": "stripe", "csrfmiddlewaretoken": token})
        answered.append(time.perf_counter() - started)
        if len(answered) == CUSTOMERS:
            done.set()

    presses = [threading.Thread(target=press, args=(b, *f)) for b, f in zip(browsers, forms, strict=True)]
    with meter as m:
        for thread in presses:
            thread.start()
        window.samples = page_latencies(60, stop=done)
        m.close(window)
    for thread in presses:
        thread.join()
    for browser in browsers:
        browser.close()
    drill.step_seconds.setdefault("card hang (interleaved)", []).extend(answered)
    reset(drill)
    return window


def interleaved(drill, processes, page_latencies, reset, shop, methods, csrf) -> list[Window]:
    """`page_latencies(seconds, stop=None)` and `reset(drill)` are the drill's (bench/fault_drill.py)."""
    meter = Meter(processes)
    windows = [idle_window(page_latencies, meter)]
    for _ in range(ROUNDS):
        windows.append(hang_window(drill, page_latencies, reset, meter, shop, methods, csrf))
        windows.append(idle_window(page_latencies, meter))
    return windows


def report(windows):
    idle = [w for w in windows if w.kind == "idle"]
    hang = [w for w in windows if w.kind == "hang"]
    pooled = {kind: [s for w in group for s in w.samples] for kind, group in (("idle", idle), ("hang", hang))}
    even = [s for w in idle[0::2] for s in w.samples]
    odd = [s for w in idle[1::2] for s in w.samples]
    print(f"unrelated page, interleaved ({ROUNDS} hang windows of {CUSTOMERS} card customers pressing Pay while the "
          f"gateway hangs, between {len(idle)} idle windows of {IDLE_SECONDS} s):")
    print(f"  {'window':<6} {'s':>5} {'pages':>6} {'p50 ms':>7} {'p99 ms':>7} {'machine busy':>13} "
          f"{'web CPU s/s':>12} {'worker CPU s/s':>15} {'web CPU ms/page':>16} {'load 1m':>8}")
    for w in windows:
        per_page = w.web_cpu * w.seconds / max(len(w.samples), 1) * 1000
        print(f"  {w.kind:<6} {w.seconds:5.1f} {len(w.samples):6d} {statistics.median(w.samples) * 1000:7.0f} "
              f"{p99(w.samples):7.0f} {w.busy:12.0%} {w.web_cpu:12.2f} {w.worker_cpu:15.2f} {per_page:16.2f} "
              f"{w.load:8.1f}")
    print(f"  p99 idle {p99(pooled['idle']):.0f} ms, hang {p99(pooled['hang']):.0f} ms: ratio "
          f"{p99(pooled['hang']) / p99(pooled['idle']):.2f} (target <= 1.2); p50 ratio "
          f"{statistics.median(pooled['hang']) / statistics.median(pooled['idle']):.2f}; noise floor (idle even / "
          f"odd rounds) p99 ratio {p99(even) / p99(odd):.2f}")
