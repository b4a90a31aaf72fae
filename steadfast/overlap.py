"""Test helpers for two database transactions made to overlap for certain (payment settlers, shoppers' stock).

`overlapped(first, second)` runs first() in a transaction held open until second(), started meanwhile, has finished
or waits for a row lock (PostgreSQL: pg_stat_activity; SQLite queues every writer at BEGIN IMMEDIATE, so there the
second cannot overtake at all); then first commits. A guard that relies on a row lock fails these tests on
PostgreSQL when the lock is removed.
"""

import threading
from concurrent.futures import Future, ThreadPoolExecutor

from django.db import connection, connections, transaction

from steadfast.testing import WAIT_SECONDS, wait_until


def in_thread(fn) -> Future:
    """fn() in a thread of its own with its own connection; the Future holds its result or exception."""

    def run():
        try:
            return fn()
        finally:
            connections.close_all()

    pool = ThreadPoolExecutor(max_workers=1)
    future = pool.submit(run)
    pool.shutdown(wait=False)
    return future


def waiting_for_a_lock() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()")
        return cursor.fetchone()[0] > 0


def overlapped(first, second):
    """Returns (first's result, second's Future); see the module docstring."""
    inside, release = threading.Event(), threading.Event()

    def hold():
        with transaction.atomic():
            result = first()
            inside.set()
            assert release.wait(WAIT_SECONDS), "never released"
        return result

    held = in_thread(hold)
    wait_until(lambda: inside.is_set() or held.done(), describe="the first transaction to be inside")
    started = threading.Event()

    def go():
        started.set()
        return second()

    other = in_thread(go)
    sqlite = connection.vendor != "postgresql"
    wait_until(lambda: other.done() or waiting_for_a_lock() or (sqlite and started.is_set()),
               describe="the second transaction to finish or wait for a lock")
    release.set()
    return held.result(timeout=WAIT_SECONDS), other
