"""Test helpers for waiting: poll for a condition with a generous bound, or move a clock the test controls.

Tests never sleep for a fixed time and never rely on a timing margin (the suite runs on busy machines):

    wait_until(lambda: outbox_row().status == "sent", describe="the confirmation e-mail to be sent")
    breaker_clock.advance(cooldown(provider) + 1)   # the breaker's cool-down is over, without waiting for it

A wait that gives up raises AssertionError naming what it waited for, for how long, and the last value (or
error) it saw, so a red CI log explains itself.
"""

import time

import pytest

from steadfast.env import env_int

# The bound of every wait: generous, because a passing test never gets near it and a busy machine (two cores shared
# with other builds) can make a Django process take ten seconds just to start.
WAIT_SECONDS = env_int("STEADFAST_TEST_WAIT", 60, 1)


def wait_until(predicate, *, describe, timeout=WAIT_SECONDS, every=0.05, ignore=(), show=repr):
    """Call predicate() until it returns something truthy, and return that.

    describe: what we wait for ("the worker to lease an e-mail"). ignore: exception classes that mean "not yet"
    (e.g. OSError while a server starts); the last one is reported if the wait gives up. show: how to print
    the last value seen.
    """
    deadline = time.monotonic() + timeout
    seen, error, polls = None, None, 0
    while True:
        polls += 1
        try:
            seen, error = predicate(), None
        except ignore as exc:
            seen, error = None, exc
        if seen and error is None:
            return seen
        if time.monotonic() >= deadline:
            last = f"last error: {error!r}" if error is not None else f"last value seen: {show(seen)}"
            raise AssertionError(f"gave up after {timeout} s ({polls} checks) waiting for {describe}; {last}")
        time.sleep(min(every, max(0.0, deadline - time.monotonic())))


class ManualClock:
    """Epoch seconds that only move when the test says so."""

    def __init__(self, start: float | None = None):
        self.now = time.time() if start is None else start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> float:
        self.now += seconds
        return self.now


@pytest.fixture
def breaker_clock(monkeypatch):
    """The breaker's time source (steadfast.providers.clock), frozen; `breaker_clock.advance(s)` moves it."""
    from steadfast.providers import clock

    manual = ManualClock()
    monkeypatch.setattr(clock, "now", manual)
    return manual


def admin_browser_login(page, user_model, username="boss"):
    """Make a superuser and log the browser page in to the admin as them."""
    user_model.objects.create_superuser(username, f"{username}@example.com", "boss-pass-123")
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", "boss-pass-123")
    page.click("input[type=submit]")
    page.wait_for_url(lambda url: "/admin/login" not in url)
