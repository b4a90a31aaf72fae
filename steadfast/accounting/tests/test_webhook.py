"""The signed webhook reaches the receiver once per change, in order, and a receiver can verify it."""

from django.utils import timezone

from steadfast.accounting.models import SyncRow
from steadfast.accounting.replay import target_replay
from steadfast.accounting.targets.webhook import webhook_body, webhook_signature
from steadfast.orders.services import SYSTEM, order_cancel

LATER = timezone.timedelta(hours=2)


def test_each_change_is_delivered_signed_once_in_order(webhook, fake_receiver, place):
    first, second = place(), place()
    order_cancel(first, SYSTEM)

    target_replay(webhook.sync_target.pk)

    assert fake_receiver.refused == 0
    assert [(n, t) for _, n, t in fake_receiver.ledger] == [
        (first.number, "order.placed"), (first.number, "order.updated"), (second.number, "order.placed"),
        (second.number, "order.updated"), (first.number, "order.cancelled")]
    assert [e for e, _, _ in fake_receiver.ledger] == [
        str(r.event_id) for r in SyncRow.objects.filter(target__provider=webhook).order_by("seq")]


def test_a_redelivery_after_a_lost_answer_is_deduplicated_by_event_id(webhook, fake_receiver, place):
    place()
    fake_receiver.lose_answers = 1  # the receiver applies the first event, then the connection drops

    target_replay(webhook.sync_target.pk)
    assert SyncRow.objects.filter(state="pending").count() == 2 and len(fake_receiver.ledger) == 1
    target_replay(webhook.sync_target.pk, now=timezone.now() + LATER)

    assert SyncRow.objects.filter(state="pending").count() == 0
    assert [t for _, _, t in fake_receiver.ledger] == ["order.placed", "order.updated"]
    assert fake_receiver.deliveries == 3, "the first event was sent twice and applied once"


def test_a_wrong_secret_is_refused_by_the_receiver_and_the_backlog_waits(webhook, fake_receiver, place, monkeypatch):
    monkeypatch.setenv("STEADFAST_BOOKS_HOOK_SECRET", "not-the-receivers-secret")
    place()

    result = target_replay(webhook.sync_target.pk)

    assert result.synced == 0 and fake_receiver.refused == 1 and fake_receiver.ledger == []
    assert SyncRow.objects.filter(state="pending").count() == 2


def test_the_signature_is_hmac_sha256_over_timestamp_dot_body():
    body = webhook_body(event_id="e-1", seq=1, kind="paid", payload={"number": "SF-1"})
    assert body == b'{"id":"e-1","order":{"number":"SF-1"},"sequence":1,"type":"order.paid"}'
    assert webhook_signature("s3cret", "1700000000", body) == (
        "sha256=" + __import__("hmac").new(b"s3cret", b"1700000000." + body, "sha256").hexdigest())
