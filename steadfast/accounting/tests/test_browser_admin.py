"""What staff see in Chromium while MoySklad is down: the dashboard's accounting row, a held stock import with its
report, a conflict with both versions, the export page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from steadfast.accounting.models import SyncRow
from steadfast.accounting.readback import offers_import
from steadfast.accounting.replay import target_replay
from steadfast.accounting.tests.test_stock_import import offers_xml
from steadfast.testing import browser_screenshot

pytestmark = pytest.mark.browser


def test_staff_see_the_backlog_a_held_import_and_export_orders(page, django_user_model, moysklad, fake_moysklad,
                                                              place, make_variant, tmp_path):
    catalog = [make_variant(stock=10) for _ in range(5)]
    fake_moysklad.set_fault("status", status=503)
    for _ in range(3):
        place()
    SyncRow.objects.update(created_at=timezone.now() - timedelta(hours=26))
    target_replay(moysklad.sync_target.pk)
    held = offers_import("1c", offers_xml({v.sku: 0 for v in catalog[:3]}))

    django_user_model.objects.create_superuser("boss", "boss@example.com", "boss-pass-123")
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", "boss-pass-123")
    page.click("input[type=submit]")
    page.wait_for_url(lambda url: "/admin/login" not in url)

    card = " ".join(page.locator("#sf-accounting-moysklad").inner_text().split())
    assert card.upper().startswith("MOYSKLAD 6") and "oldest 1 day, 2 hours" in card, card
    assert "failing, retrying" in card, card
    assert page.locator("#sf-accounting-held").inner_text() == "1"
    browser_screenshot(page, tmp_path, "admin-accounting-dashboard.png")

    page.goto(f"/admin/accounting/stockimport/{held.pk}/change/")
    report = page.locator("#sf-stock-report").inner_text()
    assert catalog[0].sku in report and "lower or zero 3 of" in page.locator("body").inner_text()
    browser_screenshot(page, tmp_path, "admin-accounting-held-import.png")

    page.goto("/admin/accounting/stockimport/?state__exact=held")
    page.check(f"input[name=_selected_action][value='{held.pk}']")
    page.select_option("select[name=action]", "approve")
    page.click("button[name=index]")
    assert "1 import applied." in page.locator(".messagelist").inner_text()

    page.goto("/admin/accounting/synctarget/export/")
    browser_screenshot(page, tmp_path, "admin-accounting-export.png")
    with page.expect_download() as download:
        page.check("input[value=csv]")
        page.click("#sf-export-form input[type=submit]")
    assert download.value.suggested_filename.endswith(".csv")
