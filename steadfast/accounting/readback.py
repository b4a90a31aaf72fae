"""Stock read back from accounting on a schedule (MoySklad), and 1C's offers.xml: both through the stock guard."""

import logging

from steadfast.accounting.commerceml import CommerceMLError, parse_offers
from steadfast.accounting.models import StockImport, SyncRow
from steadfast.accounting.stock import stock_import
from steadfast.accounting.stock_conflicts import counts_for_us, stock_baseline_save, stock_reconcile
from steadfast.orders.models import OrderStatus
from steadfast.providers.call import call
from steadfast.providers.errors import ProviderError
from steadfast.providers.models import Provider
from steadfast.providers.registry import adapter_for

log = logging.getLogger(__name__)


def units_not_yet_known(target) -> dict[str, int]:
    """Units in our orders the target has not heard of yet (their "placed" row still waits): its stock figures
    still count them as on the shelf."""
    waiting = {}
    rows = SyncRow.objects.filter(target=target, kind=SyncRow.Kind.PLACED, state=SyncRow.State.PENDING) \
        .exclude(order__status=OrderStatus.CANCELLED).values_list("payload", flat=True)
    for payload in rows:
        for line in payload.get("lines", []):
            waiting[line["sku"]] = waiting.get(line["sku"], 0) + int(line["quantity"])
    return waiting


def stock_read_back(provider) -> StockImport | None:
    """Read the target's stock and import it; None when the target could not be asked (logged, tried next time)."""
    adapter = adapter_for(provider)
    try:
        theirs = call(provider, "stock", adapter.stock, background=True)
    except ProviderError as error:
        log.warning("accounting: stock read back from %s failed: %s", provider.code, error)
        return None
    return reconciled_import(provider.code, provider.sync_target, theirs)


def reconciled_import(source, target, theirs: dict[str, int]) -> StockImport:
    """Accounting's figures less our orders it has not heard of; SKUs moved on both sides since the last sync
    become conflicts instead (stock_conflicts.py). The baseline moves on only when the import was applied."""
    waiting = units_not_yet_known(target)
    incoming, settle = stock_reconcile(target, theirs, waiting)
    record = stock_import(source, incoming, listed=theirs)
    if record.state == StockImport.State.APPLIED:
        # Accounting's own figure, not what was imported (that keeps any gap staff chose): else the next quiet
        # read-back would take the kept gap for a move in accounting.
        stock_baseline_save(target, counts_for_us(theirs, waiting), settle)
    return record


def stock_read_back_all() -> list[StockImport]:
    found = []
    for provider in Provider.objects.filter(kind=Provider.Kind.ACCOUNTING, enabled=True, sync_target__isnull=False):
        if callable(getattr(adapter_for(provider), "stock", None)):
            record = stock_read_back(provider)
            if record is not None:
                found.append(record)
    return found


def offers_import(source: str, data: bytes, target=None) -> StockImport:
    """1C's offers.xml: parsed safely, then guarded like any stock import (a broken file is held, not applied);
    with the 1C target, reconciled with the orders 1C has not received yet and checked for conflicts."""
    try:
        offers = parse_offers(data)
    except CommerceMLError as error:
        return stock_import(source, None, error=str(error))
    if target is None:
        return stock_import(source, offers.stock)
    return reconciled_import(source, target, offers.stock)
