"""Stock from accounting never wrecks the catalog: a big drop, an empty or broken file is held with a report."""

import pytest

from steadfast.accounting.commerceml import CommerceMLError, parse_offers
from steadfast.accounting.models import StockImport
from steadfast.accounting.readback import offers_import, stock_read_back
from steadfast.accounting.stock import stock_import, stock_import_approve, stock_import_reject
from steadfast.catalog.models import Variant
from steadfast.orders.services import SYSTEM, order_cancel


def offers_xml(offers, only_changes="false") -> bytes:
    items = "".join(f"<Предложение><Ид>{sku}-id</Ид><Артикул>{sku}</Артикул><Наименование>x</Наименование>"
                    f"<Цены><Цена><ЦенаЗаЕдиницу>19.90</ЦенаЗаЕдиницу></Цена></Цены>"
                    f"<Количество>{qty}</Количество></Предложение>" for sku, qty in offers.items())
    return (f'<?xml version="1.0" encoding="UTF-8"?><КоммерческаяИнформация ВерсияСхемы="2.05">'
            f'<ПакетПредложений СодержитТолькоИзменения="{only_changes}"><Предложения>{items}</Предложения>'
            f'</ПакетПредложений></КоммерческаяИнформация>').encode()


@pytest.fixture
def catalog(make_variant):
    return [make_variant(stock=10) for _ in range(10)]


def stock():
    return dict(Variant.objects.values_list("sku", "stock"))


def test_a_sane_import_is_applied_at_once(catalog):
    record = offers_import("1c", offers_xml({catalog[0].sku: 7, catalog[1].sku: 12, "NOT-OURS": 3}))

    assert record.state == "applied"
    assert stock()[catalog[0].sku] == 7 and stock()[catalog[1].sku] == 12 and stock()[catalog[2].sku] == 10
    assert record.summary["unknown"] == ["NOT-OURS"]
    catalog[1].product.refresh_from_db()
    assert catalog[1].product.in_stock


def test_an_import_zeroing_much_of_the_catalog_is_held_with_its_report_and_changes_nothing(catalog):
    before = stock()
    record = offers_import("1c", offers_xml({v.sku: 0 for v in catalog[:3]}))

    assert record.state == "held" and "lower or zero 3 of 10 variants" in record.reason
    assert record.changes == [[v.sku, 10, 0] for v in catalog[:3]]
    assert stock() == before


def test_approving_a_held_import_applies_it_once_keeping_sales_made_since(catalog):
    record = offers_import("1c", offers_xml({v.sku: 2 for v in catalog[:5]}))
    Variant.objects.filter(sku=catalog[0].sku).update(stock=9)  # one sold after the import arrived

    assert stock_import_approve(record, "staff:boss") and not stock_import_approve(record, "staff:boss")

    assert stock()[catalog[0].sku] == 1 and stock()[catalog[1].sku] == 2
    record.refresh_from_db()
    assert record.state == "applied" and record.decided_by == "staff:boss"


def test_a_rejected_import_changes_nothing(catalog):
    record = offers_import("1c", offers_xml({v.sku: 0 for v in catalog}))
    assert stock_import_reject(record, "staff:boss") and not stock_import_approve(record, "staff:boss")
    assert set(stock().values()) == {10}


def test_an_empty_offers_file_is_held(catalog):
    record = offers_import("1c", offers_xml({}))
    assert record.state == "held" and "no stock at all" in record.reason and set(stock().values()) == {10}


def test_an_import_is_atomic(catalog, monkeypatch):
    from steadfast.accounting import stock as module

    def broken(product_ids):
        raise RuntimeError("the summary refresh failed half-way")

    monkeypatch.setattr(module, "products_refresh_summary", broken)
    with pytest.raises(RuntimeError):
        stock_import("1c", {catalog[0].sku: 9})
    assert stock()[catalog[0].sku] == 10 and not StockImport.objects.exists()


ROOT = "КоммерческаяИнформация"
HOSTILE = {
    "xxe": f'<?xml version="1.0"?><!DOCTYPE {ROOT} [<!ENTITY x SYSTEM "file:///etc/passwd">]><{ROOT}>'
           f'<ПакетПредложений><Предложения><Предложение><Артикул>&x;</Артикул><Количество>1</Количество>'
           f'</Предложение></Предложения></ПакетПредложений></{ROOT}>'.encode(),
    "billion_laughs": f'<?xml version="1.0"?><!DOCTYPE {ROOT} [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">'
                      f'<!ENTITY c "&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;">]>'
                      f'<{ROOT}><ПакетПредложений>&d;</ПакетПредложений></{ROOT}>'.encode(),
    "external_dtd": f'<?xml version="1.0"?><!DOCTYPE {ROOT} SYSTEM "http://127.0.0.1:9/evil.dtd"><{ROOT}>'
                    f'<ПакетПредложений/></{ROOT}>'.encode(),
    "malformed": b"<\xd0\x9a\xd0\xbe\xd0\xbc\xd0\xbc><unclosed>",
    "not_commerceml": b"<root><offers/></root>",
    "deep": b"<a>" * 200 + b"</a>" * 200,
    "negative": offers_xml({"TST-0001": -5}),
    "garbage_number": offers_xml({"TST-0001": "lots"}),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_or_broken_xml_is_refused_and_held_changing_nothing(catalog, name):
    with pytest.raises(CommerceMLError):
        parse_offers(HOSTILE[name])

    record = offers_import("1c", HOSTILE[name])

    assert record.state == "held" and record.reason.startswith("The file could not be read")
    assert set(stock().values()) == {10}


def test_an_oversized_file_is_refused_before_parsing(catalog, settings):
    settings.ACCOUNTING_1C_MAX_BYTES = 1024
    with pytest.raises(CommerceMLError, match="larger than 1024"):
        parse_offers(offers_xml({v.sku: 5 for v in catalog}))


def test_stock_per_warehouse_is_summed(catalog):
    data = ('<КоммерческаяИнформация><ПакетПредложений><Предложения><Предложение><Артикул>A-1</Артикул>'
            '<Остатки><Остаток><Склад><Ид>1</Ид><Количество>2</Количество></Склад></Остаток>'
            '<Остаток><Склад><Ид>2</Ид><Количество>3,0</Количество></Склад></Остаток></Остатки>'
            '</Предложение></Предложения></ПакетПредложений></КоммерческаяИнформация>').encode()
    assert parse_offers(data).stock == {"A-1": 5}


def test_moysklad_stock_counts_orders_it_has_not_heard_of_yet(moysklad, fake_moysklad, place, make_variant):
    variant = make_variant(stock=10)
    waiting = place(quantity=3, variant=variant)  # not yet replayed: MoySklad still counts these 3 on the shelf
    cancelled = place(quantity=2, variant=variant)
    order_cancel(cancelled, SYSTEM)
    fake_moysklad.stock = {variant.sku: (12, 0)}

    record = stock_read_back(moysklad)

    assert record.state == "applied" and record.changes == [[variant.sku, 7, 9]]
    assert waiting.number and stock()[variant.sku] == 9


def test_moysklad_down_leaves_stock_alone(moysklad, fake_moysklad, make_variant):
    variant = make_variant(stock=10)
    fake_moysklad.set_fault("status", status=503)
    assert stock_read_back(moysklad) is None and stock()[variant.sku] == 10
