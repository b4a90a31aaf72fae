"""1C uploads its order changes (type=sale&mode=file) over HTTP: legal ones are applied with actor "1C" and an
OrderEvent; an illegal one, or one for an order changed here since 1C last received it, is a conflict."""

from steadfast.accounting.models import Conflict, SyncRow
from steadfast.accounting.tests.test_onec_exchange import login, step, zipped
from steadfast.catalog.models import Variant
from steadfast.orders.models import Order, OrderEvent
from steadfast.orders.services import SYSTEM, order_cancel, order_edit


def orders_xml(*documents) -> bytes:
    """documents: (number, {requisite: value})."""
    docs = "".join(
        f"<Документ><Ид>{number}</Ид><Номер>{number}</Номер><ХозОперация>Заказ товара</ХозОперация>"
        "<ЗначенияРеквизитов>" + "".join(f"<ЗначениеРеквизита><Наименование>{k}</Наименование><Значение>{v}"
                                          "</Значение></ЗначениеРеквизита>" for k, v in values.items())
        + "</ЗначенияРеквизитов></Документ>" for number, values in documents)
    return (f'<?xml version="1.0" encoding="UTF-8"?><КоммерческаяИнформация ВерсияСхемы="2.05">{docs}'
            "</КоммерческаяИнформация>").encode()


def received_by_1c(client):
    """1C's order exchange: it takes every waiting change."""
    login(client, "sale")
    step(client, "sale", "query")
    assert step(client, "sale", "success").text == "success"
    assert not SyncRow.objects.filter(target__provider__code="onec", state="pending").exists()


def send(client, name, data, limit):
    answers = [step(client, "sale", "file", params={"filename": name}, content=data[start:start + limit]).text
               for start in range(0, len(data), limit)]
    return answers[-1]


def test_paid_then_shipped_in_1c_are_applied_with_actor_1c(onec, place):
    order = place(quantity=2)  # bank transfer: awaiting payment
    received_by_1c(onec)
    limit = login(onec, "sale")

    answer = send(onec, "orders.xml", orders_xml((order.number, {"Проведен": "true",
                                                                   "Дата оплаты по 1С": "2026-11-30T10:00:00"})), limit)
    assert answer.startswith("success\n1 changes applied, 0 conflicts"), answer
    order.refresh_from_db()
    assert order.status == "paid" and order.paid_at is not None
    shipped = orders_xml((order.number, {"Дата оплаты по 1С": "2026-11-30T10:00:00",
                                         "Дата отгрузки по 1С": "2026-11-30T15:00:00"}))
    assert send(onec, "orders.zip", zipped(orders_xml=shipped), limit).startswith("success\n1 changes applied")

    order.refresh_from_db()
    assert order.status == "fulfilled" and not Conflict.objects.exists()
    events = list(OrderEvent.objects.filter(order=order, actor="1C").values_list("from_status", "to_status"))
    assert events == [("awaiting_offline_payment", "paid"), ("paid", "fulfilled")]
    assert not SyncRow.objects.filter(target__provider__code="onec", state="pending").exists(), \
        "1C made these changes: nothing to send back"


def test_cancelled_in_1c_gives_the_stock_back_once(onec, place, make_variant):
    variant = make_variant(stock=10)
    order = place(quantity=3, variant=variant)
    received_by_1c(onec)
    limit = login(onec, "sale")
    data = orders_xml((order.number, {"Отменен": "true"}))

    assert send(onec, "orders.xml", data, limit).startswith("success\n1 changes applied")
    assert send(onec, "orders.xml", data, limit).startswith("success\n0 changes applied, 0 conflicts")

    assert Order.objects.get(pk=order.pk).status == "cancelled" and Variant.objects.get(pk=variant.pk).stock == 10


def test_an_order_changed_here_since_1c_received_it_is_a_conflict_not_applied(onec, place):
    order = place()
    received_by_1c(onec)
    order_edit(order, "staff:ann", city="Gdańsk")  # 1C has not received this yet
    limit = login(onec, "sale")

    answer = send(onec, "orders.xml", orders_xml((order.number, {"Дата оплаты по 1С": "2026-11-30"})), limit)

    assert answer.startswith("success\n0 changes applied, 1 conflicts"), answer
    order.refresh_from_db()
    assert order.status == "awaiting_offline_payment" and order.paid_at is None
    conflict = Conflict.objects.get(subject="order", reference=order.number)
    assert conflict.ours["status"] == "awaiting_offline_payment"
    assert conflict.theirs["wanted"] == "paid" and conflict.theirs["requisites"] == {"Дата оплаты по 1С": "2026-11-30"}
    assert not OrderEvent.objects.filter(actor="1C").exists()


def test_a_change_the_state_machine_refuses_is_a_conflict(onec, place):
    order = place()
    order_cancel(order, SYSTEM)
    received_by_1c(onec)
    limit = login(onec, "sale")

    answer = send(onec, "orders.xml", orders_xml((order.number, {"Дата отгрузки по 1С": "2026-11-30"})), limit)

    assert "1 conflicts" in answer and Order.objects.get(pk=order.pk).status == "cancelled"
    assert "cannot become" in Conflict.objects.get(reference=order.number).theirs["why"]


def test_a_hostile_order_file_is_refused_and_changes_nothing(onec, place):
    order = place()
    received_by_1c(onec)
    limit = login(onec, "sale")
    hostile = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><КоммерческаяИнформация><Документ><Номер>'
               f'{order.number}</Номер></Документ></КоммерческаяИнформация>').encode()

    assert send(onec, "orders.xml", hostile, limit).startswith("failure")
    assert Order.objects.get(pk=order.pk).status == "awaiting_offline_payment"


def test_a_zip_with_a_hostile_second_file_changes_nothing_from_the_first(onec, place):
    order = place()
    received_by_1c(onec)
    limit = login(onec, "sale")
    good = orders_xml((order.number, {"Проведен": "true", "Дата оплаты по 1С": "2026-11-30T10:00:00"}))
    hostile = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><\xd0\x9a/>'

    assert send(onec, "orders.zip", zipped(a_xml=good, b_xml=hostile), limit).startswith("failure")

    assert Order.objects.get(pk=order.pk).status == "awaiting_offline_payment"
    assert not OrderEvent.objects.filter(actor="1C").exists()


def test_a_refused_change_sent_again_is_still_one_conflict_for_staff(onec, place):
    order = place()
    order_cancel(order, SYSTEM)
    received_by_1c(onec)
    limit = login(onec, "sale")
    data = orders_xml((order.number, {"Дата отгрузки по 1С": "2026-11-30"}))

    for _ in range(3):  # 1C sends its unsent changes at every exchange until someone acts
        assert "1 conflicts" in send(onec, "orders.xml", data, limit)

    assert Conflict.objects.filter(subject="order", reference=order.number, resolved_at__isnull=True).count() == 1

def test_a_staff_edit_racing_1cs_upload_is_a_conflict_and_still_goes_to_1c(onec, place):
    """Staff edit the order while 1C's upload for it is applied: the upload waits for the edit (PostgreSQL: on the
    order's row lock) and sees it, so 1C's change is a conflict and the edit stays waiting for 1C."""
    from steadfast.accounting.models import SyncTarget
    from steadfast.accounting.onec_orders_in import orders_from_1c
    from steadfast.overlap import overlapped
    from steadfast.testing import WAIT_SECONDS

    order = place()
    received_by_1c(onec)
    target = SyncTarget.objects.get(provider__code="onec")
    data = orders_xml((order.number, {"Дата оплаты по 1С": "2026-11-30"}))

    _, upload = overlapped(lambda: order_edit(order, "staff:ann", city="Gdańsk"),
                           lambda: orders_from_1c(target, data))

    report = upload.result(timeout=WAIT_SECONDS)
    assert (report.applied, report.conflicts) == ([], [[order.number, "paid"]])
    order.refresh_from_db()
    assert (order.status, order.city) == ("awaiting_offline_payment", "Gdańsk")
    assert SyncRow.objects.filter(target=target, order=order, state="pending").exists(), "the edit still goes to 1C"
