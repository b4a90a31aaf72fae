"""Stock coming back from accounting: applied atomically when it looks sane, held for staff otherwise.

An import is held (a StockImport row with the report of what it would change, nothing applied) when it is
malformed, empty, or would zero or lower more than ACCOUNTING_STOCK_DROP_MAX of the active catalog's variants or
units: a half-exported file or a wiped warehouse in 1C must not empty the shop. Staff approve or reject it in the
admin. Applying moves each variant by the difference accounting reports (after - before), so units sold between
the import and its approval are not given back.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from steadfast.accounting.models import StockImport
from steadfast.catalog.models import Variant
from steadfast.catalog.services import products_refresh_summary

State = StockImport.State


@dataclass
class StockPlan:
    changes: list = field(default_factory=list)  # [sku, before, after]
    unknown: list = field(default_factory=list)  # SKUs accounting has and we do not
    missing: list = field(default_factory=list)  # our active SKUs the import does not mention (left alone)
    catalog_variants: int = 0
    catalog_units: int = 0

    @property
    def zeroed(self) -> int:
        return sum(1 for _, before, after in self.changes if before > 0 and after == 0)

    @property
    def lowered(self) -> int:
        return sum(1 for _, before, after in self.changes if after < before)

    @property
    def units_lost(self) -> int:
        return sum(before - after for _, before, after in self.changes if after < before)

    def summary(self) -> dict:
        return {"catalog_variants": self.catalog_variants, "catalog_units": self.catalog_units,
                "changed": len(self.changes), "zeroed": self.zeroed, "lowered": self.lowered,
                "units_lost": self.units_lost, "unknown": self.unknown[:100], "missing": self.missing[:100]}


def stock_plan(incoming: dict[str, int], mentioned=None) -> StockPlan:
    """`mentioned`: every SKU the source sent (default: `incoming`'s), some maybe set aside before the import."""
    current = dict(Variant.objects.filter(is_active=True, product__is_active=True).values_list("sku", "stock"))
    plan = StockPlan(catalog_variants=len(current), catalog_units=sum(current.values()))
    for sku, after in sorted(incoming.items()):
        if sku not in current:
            plan.unknown.append(sku)
        elif current[sku] != after:
            plan.changes.append([sku, current[sku], after])
    plan.missing = sorted(set(current) - set(incoming if mentioned is None else mentioned))
    return plan


def hold_reasons(plan: StockPlan, listed: int) -> list[str]:
    limit = settings.ACCOUNTING_STOCK_DROP_MAX
    reasons = []
    if not listed:
        reasons.append(_("The import lists no stock at all."))
    if plan.catalog_variants and Decimal(plan.lowered) / plan.catalog_variants > limit:
        reasons.append(_("It would lower or zero %(n)s of %(total)s variants (more than %(share)s%%).") % {
            "n": plan.lowered, "total": plan.catalog_variants, "share": int(limit * 100)})
    if plan.catalog_units and Decimal(plan.units_lost) / plan.catalog_units > limit:
        reasons.append(_("It would remove %(n)s of %(total)s units in stock (more than %(share)s%%).") % {
            "n": plan.units_lost, "total": plan.catalog_units, "share": int(limit * 100)})
    return reasons


def stock_import(source: str, incoming: dict[str, int] | None, error: str = "", listed=None) -> StockImport:
    """Record an import from `source` and apply it, or hold it for staff. `error`: it could not even be read.
    `listed`: the SKUs the source sent, when some were set aside before (conflicts, nothing new)."""
    if error or incoming is None:
        return StockImport.objects.create(source=source, state=State.HELD,
                                          reason=_("The file could not be read: %(error)s") % {"error": error})
    listed = list(incoming if listed is None else listed)
    plan = stock_plan(incoming, listed)
    reasons = hold_reasons(plan, len(listed))
    with transaction.atomic():
        record = StockImport.objects.create(source=source, state=State.HELD if reasons else State.APPLIED,
                                            reason=" ".join(reasons), changes=plan.changes, summary=plan.summary())
        if not reasons:
            _apply(plan.changes)
    return record


def stock_import_approve(record: StockImport, actor: str) -> bool:
    """Staff approve a held import: applied atomically, once (False when it was no longer held)."""
    with transaction.atomic():
        if not StockImport.objects.filter(pk=record.pk, state=State.HELD).update(
                state=State.APPLIED, decided_at=timezone.now(), decided_by=actor[:150]):
            return False
        _apply(record.changes)
    return True


def stock_import_reject(record: StockImport, actor: str) -> bool:
    return bool(StockImport.objects.filter(pk=record.pk, state=State.HELD).update(
        state=State.REJECTED, decided_at=timezone.now(), decided_by=actor[:150]))


def _apply(changes):
    for sku, before, after in changes:
        Variant.objects.filter(sku=sku).update(stock=Greatest(F("stock") + Value(after - before), Value(0)))
    skus = [sku for sku, _, _ in changes]
    products_refresh_summary(Variant.objects.filter(sku__in=skus).values_list("product_id", flat=True))
