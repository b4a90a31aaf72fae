"""What staff see: the backlog on the dashboard, the alert when it gets old, the orders export."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from steadfast.accounting.backlog import accounting_watch
from steadfast.accounting.models import SyncRow, SyncTarget
from steadfast.accounting.replay import target_replay
from steadfast.notify.models import OutboxMessage
from steadfast.orders.services import SYSTEM, order_edit


@pytest.fixture
def staff(admin_client, shop_defaults):
    return admin_client


def test_the_dashboard_shows_each_targets_backlog_and_its_age(staff, moysklad, fake_moysklad, place):
    fake_moysklad.set_fault("status", status=503)
    place(), place()
    SyncRow.objects.update(created_at=timezone.now() - timedelta(hours=3, minutes=5))
    target_replay(moysklad.sync_target.pk)

    page = staff.get("/admin/").content.decode()

    assert 'id="sf-accounting-moysklad"' in page
    assert "<span class=\"sf-figure\" data-backlog>4</span>" in page
    assert "changes waiting, oldest 3\xa0hours, 5\xa0minutes" in page and "failing, retrying" in page
    polish = staff.get("/admin/", headers={"accept-language": "pl"}).content.decode()
    assert "najstarsza czeka 3\xa0godziny, 5\xa0minut" in polish
    russian = staff.get("/admin/", headers={"accept-language": "ru"}).content.decode()
    assert "самое старое ждёт 3\xa0часа, 5\xa0минут" in russian


@pytest.mark.parametrize(("language", "seconds", "shown"), [
    ("en", 1, "1 second"), ("pl", 3, "3 sekundy"), ("pl", 25, "25 sekund"), ("ru", 21, "21 секунда"),
    ("ru", 44, "44 секунды"), ("ru", 11, "11 секунд")])
def test_a_fresh_backlog_age_is_in_seconds_in_the_staffs_language(language, seconds, shown):
    from django.utils import translation

    from steadfast.accounting.templatetags.accounting_tags import age_short

    with translation.override(language):
        assert age_short(timedelta(seconds=seconds)) == shown


def test_1c_not_polling_counts_as_down(staff, transactional_db):
    from steadfast.accounting.sync import sync_target_ensure
    from steadfast.providers.models import Provider

    provider = Provider.objects.create(kind="accounting", code="onec", adapter="onec", name="1C")
    target = sync_target_ensure(provider)
    assert "1C has not polled" in staff.get("/admin/").content.decode()

    SyncTarget.objects.filter(pk=target.pk).update(last_poll_at=timezone.now())
    assert "1C has not polled" not in staff.get("/admin/").content.decode()


def test_staff_are_alerted_once_when_the_backlog_gets_old_and_once_when_it_clears(moysklad, fake_moysklad, place,
                                                                                 settings):
    settings.ACCOUNTING_BACKLOG_ALERT_MINUTES = 30
    fake_moysklad.set_fault("status", status=503)
    place()
    assert accounting_watch() == []
    SyncRow.objects.update(created_at=timezone.now() - timedelta(minutes=31))

    assert accounting_watch() == ["moysklad:start"] and accounting_watch() == []
    alert = OutboxMessage.objects.get(kind="staff_accounting")
    assert alert.payload["backlog"] == 2 and alert.payload["provider"] == "MoySklad"

    fake_moysklad.set_fault("ok")
    target_replay(moysklad.sync_target.pk, now=timezone.now() + timedelta(hours=2))
    assert accounting_watch() == ["moysklad:end"]
    assert OutboxMessage.objects.filter(kind="staff_accounting").count() == 2


def export(staff, fmt="csv", **dates):
    today = timezone.localdate()
    return staff.get("/admin/accounting/synctarget/export/",
                     {"start": dates.get("start", today), "end": dates.get("end", today), "format": fmt})


def test_the_csv_export_neutralises_formulas_in_customer_fields(staff, place):
    order = place(full_name="=cmd|' /C calc'!A0", address_line1="+1 Main St", city="@SUM(1+1)")
    order_edit(order, SYSTEM, note="-2+3")
    place(full_name="\tTabbed", phone="\r+48 1")

    response = export(staff)

    assert response["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Order" and len(rows) == 3
    assert rows[1][0] == order.number and rows[1][3] == "'=cmd|' /C calc'!A0"
    assert rows[1][6].startswith("'+1 Main St") and rows[2][3] == "'\tTabbed" and rows[2][5] == "'\r+48 1"
    assert rows[1][12] == str(order.total)
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row)


def test_the_xlsx_export_has_text_cells_and_numeric_amounts(staff, place):
    from openpyxl import load_workbook

    order = place(full_name="=HYPERLINK(\"http://evil\")")

    response = export(staff, "xlsx")

    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == order.number and rows[1][3] == "'=HYPERLINK(\"http://evil\")"
    assert float(rows[1][12]) == float(order.total)
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_the_export_is_limited_to_the_date_range(staff, place):
    from steadfast.orders.models import Order

    old = place()
    Order.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    recent = place()
    rows = list(csv.reader(io.StringIO(export(staff).content.decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == [recent.number]


def test_a_bad_range_is_explained_and_nothing_is_downloaded(staff):
    today = timezone.localdate()
    response = export(staff, start=today, end=today - timedelta(days=1))
    assert response.status_code == 200 and "The end date is before the start date." in response.content.decode()
    assert "attachment" not in response.get("Content-Disposition", "")
