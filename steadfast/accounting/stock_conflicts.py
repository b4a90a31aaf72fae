"""Stock moved on both sides since the last sync: a conflict for staff, never an overwrite.

Per SKU we keep where both sides stood after the last sync (StockBaseline: accounting's figure less our orders it
had not heard of, and the shop's stock). At the next read-back our orders since then (placed: units out, cancelled:
units back) move both sides alike, so they are taken out of both movements. What is left:
- accounting did not move otherwise: ours stands (an edit made here stays unsettled, so a later move in
  accounting too becomes a conflict);
- only accounting moved (a delivery, a write-off): its movement is applied;
- both moved and still disagree: a Conflict with both versions and the shop's order movements; the SKU is left
  alone until staff take accounting's figure or keep ours.
"""

from django.db import transaction
from django.utils import timezone

from steadfast.accounting.models import Conflict, StockBaseline, SyncRow
from steadfast.catalog.models import Variant
from steadfast.catalog.services import products_refresh_summary

ORDER_MOVES = {SyncRow.Kind.PLACED: -1, SyncRow.Kind.CANCELLED: 1}  # units per line, as order_cancel restocks


def order_movements(target, since) -> dict[str, list]:
    """Per SKU the shop's order movements since `since`: [order number, event, units (+/-), when]."""
    moves = {}
    rows = SyncRow.objects.filter(target=target, kind__in=list(ORDER_MOVES), created_at__gt=since) \
        .order_by("seq").values_list("order_number", "kind", "payload", "created_at")
    for number, kind, payload, created in rows:
        for line in payload.get("lines", []):
            moves.setdefault(line["sku"], []).append(
                [number, kind, ORDER_MOVES[kind] * int(line["quantity"]), created])
    return moves


def counts_for_us(theirs: dict[str, int], waiting: dict[str, int]) -> dict[str, int]:
    """Accounting's own figures less our orders it has not heard of yet: what the baseline keeps as "theirs"."""
    return {sku: max(units - waiting.get(sku, 0), 0) for sku, units in theirs.items()}


def stock_reconcile(target, theirs: dict[str, int], waiting: dict[str, int]) -> tuple[dict[str, int], list[str]]:
    """What of accounting's figures (`theirs`, raw) may be imported, and the SKUs to take as the new baseline once
    it is applied. Records a Conflict for each SKU moved on both sides (one open conflict per SKU at a time)."""
    adjusted = counts_for_us(theirs, waiting)
    baselines = {b.sku: b for b in StockBaseline.objects.filter(target=target, sku__in=list(adjusted))}
    ours = dict(Variant.objects.filter(sku__in=list(adjusted)).values_list("sku", "stock"))
    open_conflicts = set(Conflict.objects.filter(target=target, subject=Conflict.Subject.STOCK,
                                                 resolved_at__isnull=True).values_list("reference", flat=True))
    since = min((b.at for b in baselines.values()), default=None)
    moves = order_movements(target, since) if since else {}
    incoming, settle = {}, []
    for sku, after in adjusted.items():
        base = baselines.get(sku)
        if sku in open_conflicts:
            continue
        if base is None or sku not in ours:
            incoming[sku] = after
            settle.append(sku)
            continue
        mine = [m for m in moves.get(sku, []) if m[3] > base.at]
        by_orders = sum(units for _n, _k, units, _when in mine)
        shop_other = ours[sku] - base.ours - by_orders
        theirs_own = after - base.theirs - by_orders
        if theirs_own == 0:
            if shop_other == 0:  # only our orders moved both sides: step the baseline on (it bounds the rows read)
                settle.append(sku)
            continue  # accounting has nothing new: ours stands (an edit here stays the baseline's open question)
        if shop_other == 0 or after == ours[sku]:
            # Their own movement, on top of any gap staff chose to keep.
            incoming[sku] = after if after == ours[sku] else max(ours[sku] + theirs_own, 0)
            settle.append(sku)
        else:
            Conflict.objects.create(
                target=target, subject=Conflict.Subject.STOCK, reference=sku,
                ours={"quantity": ours[sku], "at_last_sync": base.ours, "last_sync": base.at.isoformat(),
                      "order_movements": [[n, k, units, when.isoformat()] for n, k, units, when in mine]},
                theirs={"quantity": theirs[sku], "less_our_orders_not_yet_known": waiting.get(sku, 0),
                        "counts_for_us": after, "at_last_sync": base.theirs})
    return incoming, settle


def stock_baseline_save(target, adjusted: dict[str, int], skus) -> None:
    now = timezone.now()
    ours = dict(Variant.objects.filter(sku__in=list(skus)).values_list("sku", "stock"))
    for sku in skus:
        if sku in ours:
            StockBaseline.objects.update_or_create(target=target, sku=sku,
                                                   defaults={"theirs": adjusted[sku], "ours": ours[sku], "at": now})


def stock_conflict_resolve(conflict: Conflict, take_theirs: bool, actor: str) -> bool:
    """Staff decide a stock conflict. Taking accounting's moves our stock by the gap seen at the conflict (units sold
    since are kept); keeping ours leaves it. Either way both sides count as in step from now on. Once only."""
    if conflict.subject != Conflict.Subject.STOCK:
        return False
    sku = conflict.reference
    how = "accounting's figure taken" if take_theirs else "ours kept"
    with transaction.atomic():
        if not Conflict.objects.filter(pk=conflict.pk, resolved_at__isnull=True).update(
                resolved_at=timezone.now(), resolution=f"{how} by {actor}"[:200]):
            return False
        if take_theirs:
            gap = int(conflict.theirs["counts_for_us"]) - int(conflict.ours["quantity"])
            Variant.objects.filter(sku=sku).update(stock=_at_least_zero(gap))
            products_refresh_summary(Variant.objects.filter(sku=sku).values_list("product_id", flat=True))
        # In step as of the conflict: the orders since then are taken out of both sides at the next read-back.
        counts = int(conflict.theirs["counts_for_us"])
        StockBaseline.objects.update_or_create(target=conflict.target, sku=sku, defaults={
            "theirs": counts, "ours": counts if take_theirs else int(conflict.ours["quantity"]),
            "at": conflict.created_at})
    return True


def _at_least_zero(gap):
    from django.db.models import F, Value
    from django.db.models.functions import Greatest

    return Greatest(F("stock") + Value(gap), Value(0))
