"""Stock moved on both sides since the last sync is a conflict with both versions, never an overwrite; movements
the shop's own orders explain are not."""

import pytest

from steadfast.accounting.models import Conflict
from steadfast.accounting.readback import stock_read_back
from steadfast.accounting.replay import target_replay
from steadfast.accounting.stock_conflicts import stock_conflict_resolve
from steadfast.accounting.tests.test_onec_exchange import login, step, upload
from steadfast.accounting.tests.test_stock_import import offers_xml
from steadfast.catalog.models import Variant


def stock(sku):
    return Variant.objects.get(sku=sku).stock


@pytest.fixture
def synced(moysklad, fake_moysklad, make_variant):
    """A variant read back once: both sides at 10."""
    variant = make_variant(stock=10, price="19.90")
    fake_moysklad.stock = {variant.sku: (10, 0)}
    assert stock_read_back(moysklad).state == "applied"
    return variant


def test_a_move_only_in_moysklad_is_applied(moysklad, fake_moysklad, synced):
    fake_moysklad.stock = {synced.sku: (15, 0)}  # a delivery in the warehouse
    stock_read_back(moysklad)
    assert stock(synced.sku) == 15 and not Conflict.objects.exists()


def test_our_sales_and_a_delivery_there_are_reconciled_not_a_conflict(moysklad, fake_moysklad, synced, place):
    place(quantity=2, variant=synced)
    place(quantity=1, variant=synced)
    target_replay(moysklad.sync_target.pk)  # MoySklad hears of both orders
    fake_moysklad.stock = {synced.sku: (10 - 3 + 5, 0)}  # it counts our 3 sold and a delivery of 5
    place(quantity=4, variant=synced)  # and one it has not heard of yet

    stock_read_back(moysklad)

    assert not Conflict.objects.exists()
    assert stock(synced.sku) == 10 - 3 - 4 + 5


def test_a_move_on_both_sides_is_a_conflict_with_both_versions_and_stock_left_alone(
        moysklad, fake_moysklad, synced, place):
    Variant.objects.filter(pk=synced.pk).update(stock=6)  # staff counted the shelf: 4 lost
    order = place(quantity=1, variant=synced)  # the shop's own movement: 5 now
    fake_moysklad.stock = {synced.sku: (13, 0)}  # accounting booked a delivery of 3 and does not know the order

    record = stock_read_back(moysklad)

    conflict = Conflict.objects.get(subject="stock", reference=synced.sku)
    assert stock(synced.sku) == 5 and record.changes == []
    assert conflict.ours["quantity"] == 5 and conflict.ours["at_last_sync"] == 10
    assert [m[:3] for m in conflict.ours["order_movements"]] == [[order.number, "placed", -1]]
    assert conflict.theirs == {"quantity": 13, "less_our_orders_not_yet_known": 1, "counts_for_us": 12,
                               "at_last_sync": 10}
    stock_read_back(moysklad)  # asked again: still one open conflict, still untouched
    assert Conflict.objects.count() == 1 and stock(synced.sku) == 5

    place(quantity=2, variant=synced)  # sold while staff looked: kept when they take accounting's figure
    assert stock_conflict_resolve(conflict, take_theirs=True, actor="staff:ann")
    assert stock(synced.sku) == 12 - 2
    assert not stock_conflict_resolve(conflict, take_theirs=True, actor="staff:ann")  # once only
    assert stock(synced.sku) == 10


def test_keeping_ours_stays_kept_until_accounting_moves_again(moysklad, fake_moysklad, synced):
    Variant.objects.filter(pk=synced.pk).update(stock=4)
    fake_moysklad.stock = {synced.sku: (12, 0)}
    stock_read_back(moysklad)
    conflict = Conflict.objects.get(reference=synced.sku)

    assert stock_conflict_resolve(conflict, take_theirs=False, actor="staff:ann")
    stock_read_back(moysklad)
    assert stock(synced.sku) == 4 and Conflict.objects.filter(resolved_at__isnull=True).count() == 0
    fake_moysklad.stock = {synced.sku: (15, 0)}  # a delivery of 3 after the decision: added to ours
    stock_read_back(moysklad)
    assert stock(synced.sku) == 7


def test_a_shop_edit_alone_is_kept_not_overwritten(moysklad, fake_moysklad, synced):
    Variant.objects.filter(pk=synced.pk).update(stock=7)
    stock_read_back(moysklad)  # MoySklad still says 10: nothing new there
    assert stock(synced.sku) == 7 and not Conflict.objects.exists()


def test_1c_offers_moved_on_both_sides_is_a_conflict(onec, make_variant):
    from steadfast.accounting.models import SyncTarget

    variant = make_variant(stock=10)
    limit = login(onec, "catalog")
    upload(onec, "offers.xml", offers_xml({variant.sku: 10}), limit)
    assert step(onec, "catalog", "import", params={"filename": "offers.xml"}).text.startswith("success")
    Variant.objects.filter(pk=variant.pk).update(stock=8)  # counted here
    login(onec, "catalog")
    upload(onec, "offers.xml", offers_xml({variant.sku: 14}), limit)  # and a delivery booked in 1C

    assert step(onec, "catalog", "import", params={"filename": "offers.xml"}).text.startswith("success")

    conflict = Conflict.objects.get(subject="stock", reference=variant.sku)
    assert conflict.target == SyncTarget.objects.get(provider__code="onec")
    assert conflict.ours["quantity"] == 8 and conflict.theirs["quantity"] == 14 and stock(variant.sku) == 8


def test_staff_take_accountings_quantity_from_the_conflicts_list(admin_client, moysklad, fake_moysklad, synced):
    Variant.objects.filter(pk=synced.pk).update(stock=4)
    fake_moysklad.stock = {synced.sku: (12, 0)}
    stock_read_back(moysklad)
    conflict = Conflict.objects.get(reference=synced.sku)
    listing = admin_client.get("/admin/accounting/conflict/").content.decode()
    assert synced.sku in listing and "Stock: take the accounting system&#x27;s quantity" in listing

    answer = admin_client.post("/admin/accounting/conflict/", {"action": "take_theirs_stock",
                                                               "_selected_action": [conflict.pk]}, follow=True)

    assert "1 stock conflict resolved." in answer.content.decode()
    conflict.refresh_from_db()
    assert stock(synced.sku) == 12 and conflict.resolution == "accounting's figure taken by staff:admin"


def test_a_gap_staff_kept_survives_the_read_backs_after_a_delivery(moysklad, fake_moysklad, synced):
    Variant.objects.filter(pk=synced.pk).update(stock=4)
    fake_moysklad.stock = {synced.sku: (12, 0)}
    stock_read_back(moysklad)
    conflict = Conflict.objects.get(reference=synced.sku)
    assert stock_conflict_resolve(conflict, take_theirs=False, actor="staff:ann")
    fake_moysklad.stock = {synced.sku: (15, 0)}
    stock_read_back(moysklad)
    assert stock(synced.sku) == 7
    stock_read_back(moysklad)  # nothing moved anywhere: the kept gap (3 fewer here) stays
    assert stock(synced.sku) == 7


@pytest.mark.parametrize("take_theirs, after", [(True, 10), (False, 3)], ids=["accounting's figure", "ours kept"])
def test_sales_between_a_conflict_and_the_decision_count_once(moysklad, fake_moysklad, synced, place, settings,
                                                               take_theirs, after):
    """Shop 5 and MoySklad 12 (13 less our order it has not heard of) conflict; 2 more sell before staff decide."""
    settings.ACCOUNTING_STOCK_DROP_MAX = 1
    Variant.objects.filter(pk=synced.pk).update(stock=6)
    place(quantity=1, variant=synced)
    fake_moysklad.stock = {synced.sku: (13, 0)}
    stock_read_back(moysklad)
    conflict = Conflict.objects.get(subject="stock", reference=synced.sku)
    place(quantity=2, variant=synced)
    assert stock_conflict_resolve(conflict, take_theirs=take_theirs, actor="staff:ann")
    assert stock(synced.sku) == after  # 12 less the 2 sold since, or ours: 5 less the 2
    stock_read_back(moysklad)  # nothing moved: MoySklad still 13, knows none of our 3 units
    assert stock(synced.sku) == after
