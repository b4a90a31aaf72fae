"""The MoySklad backlog reaches MoySklad exactly once per order, in order, whatever the fake does.

Checked against the fake's own ledger. The worker's clock is the test's (`now`), so backoffs need no sleeping.
"""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from steadfast.accounting.conflicts import conflict_send_ours
from steadfast.accounting.models import Conflict, SyncRow, SyncTarget
from steadfast.accounting.replay import accounting_sweep, target_replay
from steadfast.orders.services import SYSTEM, order_cancel, order_edit, order_mark_paid, order_refund
from steadfast.providers.breaker import cooldown
from steadfast.providers.models import Attempt
from steadfast.providers.probes import providers_probe

LATER = timedelta(hours=2)  # past any backoff


def backlog():
    return SyncRow.objects.filter(state="pending").count()


def recovered(provider, breaker_clock):
    """The probe's trial after the cool-down closes a breaker the failure opened (a 401 opens it at once)."""
    breaker_clock.advance(cooldown(provider) + 1)
    assert providers_probe(provider.code)[0].outcome == "ok"


def replay(provider, now=None):
    return target_replay(provider.sync_target.pk, now=now)


def test_a_placed_order_becomes_a_customer_order_with_our_number_as_external_code(moysklad, fake_moysklad, place):
    order = place(quantity=3)

    result = replay(moysklad)

    assert result.synced == 2 and backlog() == 0
    remote = fake_moysklad.by_code(order.number)
    assert remote["name"] == order.number and remote["sum"] == 5970, "3 x 19.90 in kopecks"
    assert remote["state"]["meta"]["href"].endswith("/states/awaiting")
    assert fake_moysklad.ledger.creates == [order.number]
    assert fake_moysklad.ledger.writes == [(order.number, "new"), (order.number, "awaiting")]
    assert list(fake_moysklad.counterparties.values())[0]["email"] == "ann@example.com"
    assert Attempt.objects.filter(provider=moysklad, operation="sync", outcome="ok").count() == 2


def test_the_counterparty_is_found_by_email_then_phone_never_created_twice(moysklad, fake_moysklad, place):
    place()
    place()  # same e-mail
    place(email="other@example.com")  # same phone
    place(email="new@example.com", phone="+48 600 999 999")
    replay(moysklad)

    assert sorted(c["email"] for c in fake_moysklad.counterparties.values()) == ["ann@example.com", "new@example.com"]


@pytest.mark.parametrize("lost", ["reset_after", "hang_after"])
def test_a_lost_answer_is_found_again_by_external_code_never_created_twice(moysklad, fake_moysklad, place, lost):
    if lost == "hang_after":
        moysklad.config["read_timeout"] = 0.5
        moysklad.save()
    order = place()
    fake_moysklad.set_fault(lost, times=1)  # the first write (the create) is made, its answer lost

    first = replay(moysklad)
    assert first.synced == 0 and backlog() == 2, "the row stays first in line, the one behind waits"
    assert fake_moysklad.ledger.creates == [order.number]

    replay(moysklad, now=timezone.now() + LATER)

    assert backlog() == 0 and fake_moysklad.ledger.creates == [order.number]
    assert [state for _, state in fake_moysklad.ledger.writes] == ["new", "new", "awaiting"]


@pytest.mark.parametrize("fault", [{"mode": "status", "status": 503}, {"mode": "status", "status": 429},
                                   {"mode": "status", "status": 401}, {"mode": "malformed"}, {"mode": "reset"}])
def test_a_failure_stops_the_target_in_order_and_recovery_replays_the_rest(moysklad, fake_moysklad, place, fault,
                                                                          breaker_clock):
    orders = [place() for _ in range(3)]
    fake_moysklad.set_fault(**fault)

    stopped = replay(moysklad)
    target = SyncTarget.objects.get(provider=moysklad)
    assert stopped.synced == 0 and backlog() == 6 and target.failures == 1 and target.last_error
    assert fake_moysklad.ledger.writes == []
    assert replay(moysklad).stopped == "busy or waiting", "backoff: nothing is tried before it runs out"

    fake_moysklad.set_fault("ok")
    recovered(moysklad, breaker_clock)
    replay(moysklad, now=timezone.now() + LATER)

    assert backlog() == 0
    assert fake_moysklad.ledger.creates == [o.number for o in orders]
    assert [code for code, _ in fake_moysklad.ledger.writes] == [o.number for o in orders for _ in range(2)]
    assert SyncTarget.objects.get(provider=moysklad).failures == 0


def test_an_open_breaker_sends_nothing_and_the_backlog_waits(moysklad, fake_moysklad, place, breaker_clock):
    place()
    fake_moysklad.set_fault("status", status=503)
    for _ in range(3):  # three Unavailable in a row open the breaker
        replay(moysklad, now=timezone.now() + LATER * (_ + 1))
    sent = fake_moysklad.requests
    fake_moysklad.set_fault("ok")

    result = replay(moysklad, now=timezone.now() + LATER * 5)

    assert "out of service" in result.stopped and fake_moysklad.requests == sent and backlog() == 2
    assert Attempt.objects.filter(provider=moysklad, outcome="rejected").exists()


def test_a_change_made_in_moysklad_too_is_a_conflict_with_both_versions_not_overwritten(moysklad, fake_moysklad,
                                                                                        place):
    order = place()
    replay(moysklad)
    fake_moysklad.staff_edit(order.number, description="customer called: deliver on Friday")
    with transaction.atomic():
        order_mark_paid(order, SYSTEM)

    result = replay(moysklad)

    conflict = Conflict.objects.get()
    assert result.conflicts == 1 and conflict.reference == order.number
    assert conflict.ours["status"] == "paid"
    assert conflict.theirs["description"] == "customer called: deliver on Friday"
    assert fake_moysklad.by_code(order.number)["description"] == "customer called: deliver on Friday"
    assert SyncRow.objects.get(order_number=order.number, kind="paid").state == "conflict"

    order_refund(order, SYSTEM)  # later changes of that order meet the same changed version: also set aside
    replay(moysklad)
    assert fake_moysklad.by_code(order.number)["description"] == "customer called: deliver on Friday"

    assert conflict_send_ours(conflict, "staff:boss") and not conflict_send_ours(conflict, "staff:boss")
    replay(moysklad)

    remote = fake_moysklad.by_code(order.number)
    assert remote["state"]["meta"]["href"].endswith("/refunded") and "Ann Nowak" in remote["description"]
    assert not Conflict.objects.filter(resolved_at__isnull=True).exists() and backlog() == 0
    assert fake_moysklad.ledger.writes[-2:] == [(order.number, "paid"), (order.number, "refunded")]


def test_the_sweep_replays_every_due_target_and_edits_reach_moysklad(moysklad, fake_moysklad, place):
    order = place()
    order_edit(order, SYSTEM, city="Kraków", postcode="30-001")
    order_cancel(order, SYSTEM)

    accounting_sweep()

    remote = fake_moysklad.by_code(order.number)
    assert "Kraków" in remote["shipmentAddress"] and remote["state"]["meta"]["href"].endswith("/cancelled")
    assert backlog() == 0


def test_stock_is_read_back_from_every_page_of_the_report(moysklad, fake_moysklad, monkeypatch):
    from steadfast.accounting.targets import moysklad as adapter
    from steadfast.providers.call import call
    from steadfast.providers.registry import adapter_for

    monkeypatch.setattr(adapter, "PAGE", 2)
    fake_moysklad.stock = {"A-1": (5, 1), "A-2": (0, 0), "A-3": (7, 0), "A-4": (2, 3)}

    stock = call(moysklad, "stock", adapter_for(moysklad).stock)

    assert stock == {"A-1": 4, "A-2": 0, "A-3": 7, "A-4": 0}
