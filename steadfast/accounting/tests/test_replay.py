"""Replay after an outage: at most ACCOUNTING_REPLAY_RATE changes a second (on a clock the test moves, so a busy
machine cannot make it pass or fail), a big backlog drained by one run of the worker's sweep, and two workers at
once never sending the same change twice (real threads, checked at the MoySklad fake's ledger)."""

import itertools
import threading

from huey.contrib.djhuey import HUEY

from steadfast.accounting.models import SyncRow
from steadfast.accounting.replay import target_replay
from steadfast.accounting.tests.conftest import STATES
from steadfast.overlap import in_thread
from steadfast.testing import WAIT_SECONDS, ManualClock, wait_until


def backlog(place, orders):
    """`orders` placed while MoySklad is not reachable yet: their rows wait, in sequence order."""
    for _ in range(orders):
        place()
    rows = list(SyncRow.objects.filter(state="pending").order_by("seq").values_list("order_number", "payload"))
    assert len(rows) >= orders
    return [(number, STATES[payload["status"]]) for number, payload in rows]


def test_the_backlog_replays_no_faster_than_the_set_rate(moysklad, fake_moysklad, place, settings, monkeypatch):
    settings.ACCOUNTING_REPLAY_RATE = 4
    expected = backlog(place, 6)
    clock = ManualClock(start=1000.0)
    sent_at = []
    record = fake_moysklad.ledger.add

    def add(code, state, created):  # the fake's ledger, stamped with the test's clock when each write lands
        sent_at.append(clock())
        record(code, state, created)

    monkeypatch.setattr(fake_moysklad.ledger, "add", add)

    result = target_replay(moysklad.sync_target.pk, sleep=clock.advance, clock=clock)

    assert result.synced == len(expected) and fake_moysklad.ledger.writes == expected
    gaps = [later - earlier for earlier, later in itertools.pairwise(sent_at)]
    assert min(gaps) >= 1 / 4 - 1e-9, f"writes closer than 1/rate apart: {gaps}"
    assert sent_at[-1] - sent_at[0] >= (len(expected) - 1) / 4 - 1e-9


def test_one_run_of_the_sweep_drains_a_backlog_many_batches_long(moysklad, fake_moysklad, place, settings,
                                                                 monkeypatch):
    from steadfast.accounting.tasks import accounting_sweep_task

    settings.ACCOUNTING_REPLAY_BATCH = 4
    expected = backlog(place, 9)
    assert len(expected) > 3 * settings.ACCOUNTING_REPLAY_BATCH
    # An in-memory queue run in this process: enqueueing the next sweep runs it, as a free worker would at once.
    monkeypatch.setattr(HUEY, "immediate", True)

    accounting_sweep_task()

    assert not SyncRow.objects.filter(state="pending").exists(), "the whole backlog in one run, not a batch a minute"
    assert fake_moysklad.ledger.writes == expected


def test_two_workers_at_once_never_send_a_change_twice(moysklad, fake_moysklad, place):
    expected = backlog(place, 12)
    start = threading.Barrier(2, timeout=WAIT_SECONDS)
    target = moysklad.sync_target.pk

    def worker():
        start.wait()
        outcomes = []

        def replay_a_little():  # small batches, so the two workers take the target from each other many times
            outcomes.append(target_replay(target, limit=2))
            return not SyncRow.objects.filter(state="pending").exists()

        wait_until(replay_a_little, describe="the backlog to be replayed", every=0.001)
        return outcomes

    first, second = in_thread(worker), in_thread(worker)
    outcomes = first.result(timeout=WAIT_SECONDS) + second.result(timeout=WAIT_SECONDS)

    assert sum(o.synced for o in outcomes) == len(expected)
    assert sorted(fake_moysklad.ledger.creates) == sorted({number for number, _ in expected}), "each order once"
    assert fake_moysklad.ledger.writes == expected, "each change once, in sequence order"
