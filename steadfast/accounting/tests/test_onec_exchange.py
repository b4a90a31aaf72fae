"""A scripted 1C client speaking the CommerceML exchange over HTTP to the running test server: auth, init, a zip
uploaded in file_limit chunks, import, then the orders: query, success."""

import io
import zipfile

from lxml import etree

from steadfast.accounting.backlog import accounting_backlog
from steadfast.accounting.models import StockImport, SyncRow, SyncTarget
from steadfast.accounting.tests.conftest import LOGIN, PASSWORD
from steadfast.accounting.tests.test_stock_import import HOSTILE, offers_xml
from steadfast.catalog.models import Category, Product, Variant
from steadfast.orders.services import SYSTEM, order_cancel


def step(client, kind, mode, **kwargs):
    params = {"type": kind, "mode": mode, **kwargs.pop("params", {})}
    method = "POST" if mode == "file" else "GET"
    return client.request(method, "/accounting/1c/exchange", params=params, **kwargs)


def login(client, kind):
    answer = step(client, kind, "checkauth", auth=(LOGIN, PASSWORD))
    status, cookie, value = answer.text.split("\n")
    assert status == "success"
    client.cookies.set(cookie, value)
    init = dict(line.split("=") for line in step(client, kind, "init").text.split("\n"))
    assert init["zip"] == "yes"
    return int(init["file_limit"])


def upload(client, name, data, limit):
    for start in range(0, len(data), limit):
        assert step(client, "catalog", "file", params={"filename": name}, content=data[start:start + limit]).text \
            == "success"


def zipped(**files) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name.replace("_", "."), data)
    return out.getvalue()


IMPORT_XML = ('<?xml version="1.0" encoding="UTF-8"?><КоммерческаяИнформация ВерсияСхемы="2.05">'
              '<Классификатор><Ид>c1</Ид><Наименование>Main</Наименование><Группы><Группа><Ид>g0</Ид>'
              '<Наименование>Clothes</Наименование><Группы><Группа><Ид>g1</Ид><Наименование>Jackets</Наименование>'
              '</Группа></Группы></Группа></Группы></Классификатор><Каталог><Ид>cat</Ид><Товары>'
              '<Товар><Ид>p1</Ид><Артикул>TST-0001</Артикул><Наименование>Rain jacket (1C)</Наименование></Товар>'
              '<Товар><Ид>p2</Ид><Артикул>NEW-1</Артикул><Наименование>Wool hat</Наименование>'
              '<Группы><Ид>g1</Ид></Группы></Товар></Товары></Каталог></КоммерческаяИнформация>').encode()


def test_1c_uploads_a_zip_in_chunks_and_the_stock_is_imported(onec, make_variant):
    variants = [make_variant(stock=10) for _ in range(10)]
    limit = login(onec, "catalog")
    head, _, tail = offers_xml({variants[0].sku: 8, variants[1].sku: 11}).rpartition(b"19.90")
    offers = head + b"24.50" + tail  # the second offer costs 24.50 in 1C, the first keeps 19.90
    archive = zipped(import_xml=IMPORT_XML, offers_xml=offers)
    assert len(archive) > limit, "more than one chunk"

    upload(onec, "exchange.zip", archive, limit)
    assert step(onec, "catalog", "import", params={"filename": "import.xml"}).text.startswith("success")
    assert step(onec, "catalog", "import", params={"filename": "offers.xml"}).text.startswith("success")

    assert Variant.objects.get(pk=variants[0].pk).stock == 8 and Variant.objects.get(pk=variants[1].pk).stock == 11
    assert StockImport.objects.get().state == "applied"
    assert Variant.objects.get(pk=variants[0].pk).product.name == "Rain jacket (1C)", "renamed by import.xml"
    new = Variant.objects.select_related("product__category").get(sku="NEW-1")
    assert not new.product.is_active and new.product.category.name == "Jackets" and new.price == 0
    assert new.product.category.parent.name == "Clothes"
    assert str(Variant.objects.get(pk=variants[0].pk).price) == "19.90"
    assert str(Variant.objects.get(pk=variants[1].pk).price) == "24.50", "price from offers.xml"


def test_an_empty_or_hostile_offers_file_from_1c_is_held_not_applied(onec, make_variant):
    variants = [make_variant(stock=10) for _ in range(3)]
    limit = login(onec, "catalog")
    upload(onec, "offers.xml", offers_xml({}), limit)
    assert "held for staff approval" in step(onec, "catalog", "import", params={"filename": "offers.xml"}).text

    login(onec, "catalog")
    upload(onec, "offers.xml", HOSTILE["billion_laughs"], limit)
    step(onec, "catalog", "import", params={"filename": "offers.xml"})

    assert list(StockImport.objects.order_by("pk").values_list("state", flat=True)) == ["held", "held"]
    assert {v.stock for v in Variant.objects.filter(pk__in=[v.pk for v in variants])} == {10}


def test_orders_go_to_1c_in_query_and_count_as_received_only_after_success(onec, place):
    first, second = place(quantity=2), place()
    login(onec, "sale")

    document = etree.fromstring(step(onec, "sale", "query").content)
    numbers = [d.findtext("Номер") for d in document.iter("Документ")]
    assert numbers == [first.number, second.number]
    line = next(document.iter("Товар"))
    assert line.findtext("Артикул") == first.lines.get().sku and line.findtext("Количество") == "2"
    assert SyncRow.objects.filter(state="pending").count() == 4, "nothing is marked before 1C says success"

    order_cancel(first, SYSTEM)  # a change after the query: not covered by this exchange's success
    assert step(onec, "sale", "success").text == "success"
    assert list(SyncRow.objects.filter(state="pending").values_list("kind", flat=True)) == ["cancelled"]

    document = etree.fromstring(step(onec, "sale", "query").content)
    [cancelled] = document.iter("Документ")
    props = {p.findtext("Наименование"): p.findtext("Значение") for p in cancelled.iter("ЗначениеРеквизита")}
    assert cancelled.findtext("Номер") == first.number and props["Отменен"] == "true"
    assert SyncTarget.objects.get().last_poll_at is not None


def test_wrong_credentials_or_no_session_change_nothing(onec, place):
    place()
    assert step(onec, "sale", "checkauth", auth=(LOGIN, "wrong")).status_code == 401
    onec.cookies.set("steadfast_1c", "0" * 32)
    answer = step(onec, "sale", "query")
    assert answer.status_code == 401 and answer.text.startswith("failure")
    assert step(onec, "sale", "success").status_code == 401
    assert SyncRow.objects.filter(state="pending").count() == 2


def test_oversized_chunks_bad_names_and_zip_bombs_are_refused(onec, settings):
    limit = login(onec, "catalog")
    assert step(onec, "catalog", "file", params={"filename": "offers.xml"}, content=b"x" * (limit + 1)).status_code \
        == 413
    assert step(onec, "catalog", "file", params={"filename": "../../settings.py"}, content=b"x").text \
        == "success", "a path is reduced to its last part"
    assert not (settings.DATA_DIR.parent / "settings.py").exists()
    assert step(onec, "catalog", "file", params={"filename": ".."}, content=b"x").status_code == 400

    settings.ACCOUNTING_1C_MAX_BYTES = 4096
    bomb = zipped(offers_xml=b"<a>" + b" " * 100_000 + b"</a>")
    assert len(bomb) < limit
    upload(onec, "bomb.zip", bomb, limit)
    answer = step(onec, "catalog", "import", params={"filename": "offers.xml"})
    assert answer.text.startswith("failure") and "unpacks to more than" in answer.text


def test_only_an_authenticated_1c_counts_as_polling(onec, place):
    place()

    def polling():
        [onec_backlog] = accounting_backlog()
        return not onec_backlog.down

    assert not polling() and accounting_backlog()[0].why == "not polling"
    onec.get("/accounting/1c/exchange", params={"type": "sale", "mode": "checkauth"})  # a scanner: no credentials
    assert step(onec, "sale", "checkauth", auth=(LOGIN, "wrong")).status_code == 401
    onec.cookies.set("steadfast_1c", "0" * 32)  # a made-up session
    assert step(onec, "sale", "query").status_code == 401
    assert not polling(), "hits without credentials or session must not make 1C look alive"

    onec.cookies.clear()
    login(onec, "sale")
    assert polling()


def test_an_offers_file_whose_prices_fail_leaves_the_stock_unchanged_too(onec, make_variant):
    variants = [make_variant(stock=10, price="19.90") for _ in range(10)]
    limit = login(onec, "catalog")
    # stock first (two SKUs, a sane change), then a price of the second that no shop price can hold
    offers = offers_xml({variants[0].sku: 8, variants[1].sku: 11})
    head, _, tail = offers.rpartition(b"19.90")
    upload(onec, "offers.xml", head + b"123456789012.00" + tail, limit)

    answer = step(onec, "catalog", "import", params={"filename": "offers.xml"})

    assert answer.text.startswith("failure") and "too large for a price" in answer.text
    assert {v.stock for v in Variant.objects.filter(pk__in=[v.pk for v in variants])} == {10}, "one transaction"
    assert {str(v.price) for v in Variant.objects.filter(pk__in=[v.pk for v in variants])} == {"19.90"}
    assert not StockImport.objects.filter(state="applied").exists()


def test_an_import_xml_failing_half_way_changes_nothing(onec, make_variant):
    known = make_variant(stock=10, name="Rain jacket")
    categories, products = Category.objects.count(), Product.objects.count()
    # groups, a rename, a new product NEW-1, then one more whose address (1c-new-1) NEW-1 has just taken
    clash = IMPORT_XML.replace(b"TST-0001", known.sku.encode()).replace("</Товары>".encode(), (
        "<Товар><Ид>p3</Ид><Артикул>new 1</Артикул><Наименование>Hat</Наименование></Товар></Товары>").encode())
    limit = login(onec, "catalog")
    upload(onec, "import.xml", clash, limit)

    answer = step(onec, "catalog", "import", params={"filename": "import.xml"})

    assert answer.text.startswith("failure") and "1c-new-1" in answer.text
    assert Category.objects.count() == categories and Product.objects.count() == products, "no group, no product"
    assert Product.objects.get(pk=known.product_id).name == "Rain jacket", "the rename before it undone"
    assert not Variant.objects.filter(sku__in=["NEW-1", "new 1"]).exists()
