"""Orders for 1C (`type=sale&mode=query`) as a CommerceML 2.05 document, and marking them received on `success`.

Each order with changes 1C has not received is one Документ with the order as it is after its latest change
(1C replaces its copy of the document by Ид). The rows handed out are remembered per exchange session; only
`mode=success` in that session marks them synced, so a query whose answer never reached 1C is sent again.
"""

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from lxml import etree

from steadfast.accounting.models import SyncRow, SyncTarget

MAX_ORDERS = 500  # per query: 1C asks again after success when there were more
CANCELLED = {"cancelled", "refunded"}


def _add(parent, name, text=None, **attrs):
    element = etree.SubElement(parent, name, **attrs)
    if text is not None:
        element.text = str(text)
    return element


def _props(document, values: dict):
    props = _add(document, "ЗначенияРеквизитов")
    for name, value in values.items():
        prop = _add(props, "ЗначениеРеквизита")
        _add(prop, "Наименование", name)
        _add(prop, "Значение", value)


def _document(root, payload):
    doc = _add(root, "Документ")
    placed = datetime.fromisoformat(payload["placed_at"]) if payload.get("placed_at") else timezone.now()
    placed = timezone.localtime(placed)
    for name, value in (("Ид", payload["number"]), ("Номер", payload["number"]), ("Дата", placed.date().isoformat()),
                        ("ХозОперация", "Заказ товара"), ("Роль", "Продавец"), ("Валюта", payload["currency"]),
                        ("Курс", 1), ("Сумма", payload["total"]), ("Время", placed.strftime("%H:%M:%S")),
                        ("Комментарий", f"{payload['delivery']['name']}; {payload['payment']['name']}")):
        _add(doc, name, value)
    party = _add(_add(doc, "Контрагенты"), "Контрагент")
    for name, value in (("Ид", payload["email"]), ("Наименование", payload["name"]), ("Роль", "Покупатель"),
                        ("ПолноеНаименование", payload["name"])):
        _add(party, name, value)
    address = payload.get("address") or {}
    place = ", ".join(v for v in (address.get("line1"), address.get("line2"), address.get("postcode"),
                                  address.get("city"), address.get("country")) if v)
    _add(_add(party, "АдресРегистрации"), "Представление", place)
    contacts = _add(party, "Контакты")
    for kind, value in (("Почта", payload["email"]), ("Телефон рабочий", payload["phone"])):
        contact = _add(contacts, "Контакт")
        _add(contact, "Тип", kind)
        _add(contact, "Значение", value)
    goods = _add(doc, "Товары")
    for line in payload["lines"]:
        item = _add(goods, "Товар")
        for name, value in (("Ид", line["sku"]), ("Артикул", line["sku"]), ("Наименование", line["name"])):
            _add(item, name, value)
        _add(item, "БазоваяЕдиница", "шт", Код="796", НаименованиеПолное="Штука", МеждународноеСокращение="PCE")
        for name, value in (("ЦенаЗаЕдиницу", line["unit_price"]), ("Количество", line["quantity"]),
                            ("Сумма", line["total"])):
            _add(item, name, value)
    if Decimal(payload["delivery"]["total"]):
        item = _add(goods, "Товар")
        for name, value in (("Ид", "ORDER_DELIVERY"), ("Наименование", payload["delivery"]["name"]),
                            ("ЦенаЗаЕдиницу", payload["delivery"]["total"]), ("Количество", 1),
                            ("Сумма", payload["delivery"]["total"])):
            _add(item, name, value)
        _props(item, {"ВидНоменклатуры": "Услуга", "ТипНоменклатуры": "Услуга"})
    _props(doc, {"Статус заказа": payload["status"], "Отменен": str(payload["status"] in CANCELLED).lower(),
                 "Заказ оплачен": str(bool(payload.get("paid_at"))).lower(),
                 "Метод оплаты": payload["payment"]["name"], "Способ доставки": payload["delivery"]["name"]})


def sale_query(target: SyncTarget) -> tuple[bytes, list[int]]:
    """The document and the ids of the rows it carries: the MAX_ORDERS orders whose oldest waiting change comes
    first, each with all its waiting changes, so an order is sent once in its latest state rather than again for
    changes that were past a window of rows."""
    pending = SyncRow.objects.filter(target=target, state=SyncRow.State.PENDING)
    numbers = list(pending.values("order_number").annotate(first=Min("seq")).order_by("first")
                   .values_list("order_number", flat=True)[:MAX_ORDERS])
    rows = list(pending.filter(order_number__in=numbers).order_by("seq").values_list("pk", "order_number", "payload"))
    latest = {}
    for _pk, number, payload in rows:  # in sequence order: the last one per order wins
        latest[number] = payload
    root = etree.Element("КоммерческаяИнформация", ВерсияСхемы="2.05",
                         ДатаФормирования=timezone.localtime().strftime("%Y-%m-%dT%H:%M:%S"))
    for number in numbers:
        _document(root, latest[number])
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8"), [pk for pk, _, _ in rows]


def sale_success(target: SyncTarget, row_ids: list[int]) -> int:
    with transaction.atomic():
        done = SyncRow.objects.filter(target=target, pk__in=row_ids, state=SyncRow.State.PENDING).update(
            state=SyncRow.State.DONE, done_at=timezone.now(), attempts=1)
        SyncTarget.objects.filter(pk=target.pk).update(last_synced_at=timezone.now())
    return done
