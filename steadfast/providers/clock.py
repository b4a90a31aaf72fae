"""The breaker's time source: epoch seconds, comparable across processes and nodes (so not monotonic).

One function to replace: tests move it by hand (steadfast.testing.breaker_clock) instead of sleeping through a
cool-down.
"""

import time


def now() -> float:
    return time.time()
