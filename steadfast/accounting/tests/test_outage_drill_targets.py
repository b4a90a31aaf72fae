"""The week-long outage of test_outage_drill.py for the other two kinds of target, together: the signed-webhook
receiver answers 503 and 1C does not poll while 1,000 orders are placed (the first 10 through checkout, the rest
written and announced as there) and paid, shipped, refunded, cancelled or edited. Then recovery, with three
answers lost on the way: the receiver's ledger holds every change once, in sequence order, none missing; 1C, polling
over HTTP as test_onec_exchange.py's scripted client does (query, then success, until nothing is left), receives
every order placed during the outage exactly once, in its final state (200 orders a query here, so it takes
several rounds, each order's changes spread over the whole backlog).
"""

from collections import Counter

from django.db import transaction
from django.utils import timezone
from lxml import etree

from steadfast.accounting import onec_sale
from steadfast.accounting.backlog import accounting_backlog
from steadfast.accounting.models import SyncRow
from steadfast.accounting.replay import target_replay
from steadfast.accounting.tests.test_onec_exchange import login, step
from steadfast.accounting.tests.test_outage_drill import LATER, changes_during, written
from steadfast.orders.models import Order
from steadfast.providers.breaker import cooldown

ORDERS = 1000
THROUGH_CHECKOUT = 10


def outage(place, variants, hook_target):
    orders = []
    for batch in range(0, ORDERS, 100):
        with transaction.atomic():
            for n in range(batch, batch + 100):
                make = place if n < THROUGH_CHECKOUT else written
                orders.append(make(quantity=1 + n % 3, variant=variants[n % 3], email=f"buyer{n % 40}@example.com"))
        target_replay(hook_target, now=timezone.now() + LATER * (batch // 100 + 1))  # the worker keeps trying
    changes_during(orders)
    return orders


def webhook_recovers(webhook, fake_receiver, breaker_clock):
    fake_receiver.set_fault("ok")
    fake_receiver.lose_answers = 3  # a flaky recovery: three events applied, their answers lost
    pending = SyncRow.objects.filter(target__provider=webhook, state="pending")
    for round_ in range(ORDERS // 100 + 2, 60):  # each round past the backoff (and cool-down) the one before set
        breaker_clock.advance(cooldown(webhook) + 1)
        target_replay(webhook.sync_target.pk, now=timezone.now() + LATER * round_, limit=10_000)
        if not pending.exists():
            return
    raise AssertionError(f"the webhook backlog did not drain: {pending.count()} left")


def onec_polls(client) -> tuple[Counter, dict]:
    """1C's order exchange until a query brings nothing: how often each order came, and its last requisites."""
    login(client, "sale")
    received, requisites = Counter(), {}
    for _ in range(ORDERS):
        documents = list(etree.fromstring(step(client, "sale", "query").content).iter("Документ"))
        if not documents:
            return received, requisites
        for document in documents:
            number = document.findtext("Номер")
            received[number] += 1
            requisites[number] = {p.findtext("Наименование"): p.findtext("Значение")
                                  for p in document.find("ЗначенияРеквизитов")}
        assert step(client, "sale", "success").text == "success"
    raise AssertionError("1C's exchange never ran dry")


def test_the_webhook_and_1c_through_a_week_long_outage(webhook, fake_receiver, onec, place, make_variant,
                                                      breaker_clock, monkeypatch):
    monkeypatch.setattr(onec_sale, "MAX_ORDERS", 200)  # several query/success rounds, as a bigger backlog takes
    variants = [make_variant(stock=100_000, price=price) for price in ("19.90", "5.00", "120.00")]
    fake_receiver.set_fault("status", status=503)

    orders = outage(place, variants, webhook.sync_target.pk)

    assert fake_receiver.ledger == [], "nothing reached the receiver during the outage"
    backlog = {b.target.provider.adapter: b for b in accounting_backlog()}
    assert backlog["onec"].down and backlog["onec"].why == "not polling"
    assert backlog["signed_webhook"].down
    assert backlog["onec"].size == backlog["signed_webhook"].size > 1.5 * ORDERS

    webhook_recovers(webhook, fake_receiver, breaker_clock)
    expected = [str(event) for event in SyncRow.objects.filter(target__provider=webhook).order_by("seq")
                .values_list("event_id", flat=True)]
    assert [event for event, _, _ in fake_receiver.ledger] == expected, "each change once, in order, none missing"

    received, requisites = onec_polls(onec)
    assert set(received) == {o.number for o in orders}, "every order placed during the outage"
    assert set(received.values()) == {1}, "each order once"
    for number, status in Order.objects.filter(pk__in=[o.pk for o in orders]).values_list("number", "status"):
        assert requisites[number]["Статус заказа"] == status, number
    assert not SyncRow.objects.exclude(state="done").exists()
    assert not any(b.down or b.size for b in accounting_backlog())
