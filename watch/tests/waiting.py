import time


def wait_for(condition, what, timeout=60.0, seen=lambda: None):
    """Poll `condition` until it returns something truthy; fail naming what was awaited and what was seen."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:.0f}s for {what}; saw: {seen()!r}")
        time.sleep(0.05)  # polling interval, not a timing assumption
