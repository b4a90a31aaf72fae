"""What staff and shoppers see, in Chromium: the status page's Checkout row after a failed test purchase, the
dashboard's heartbeats and test purchase card, the on-call coverage, the SLA report and the lifeboat page in Polish.
STEADFAST_SHOTS_DIR=/some/dir keeps the screenshots for a look."""

import os
import threading
from datetime import time, timedelta

import pytest
from django.utils import timezone

from steadfast.heartbeat.beats import heartbeat_record
from steadfast.oncall.models import OnCallPerson, OnCallShift
from steadfast.providers.models import HealthEvent, Provider
from steadfast.status.snapshot import snapshot_clear
from steadfast.synthetic.services import synthetic_checkout_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("STEADFAST_SHOTS_DIR", "")


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_status_page_dashboard_oncall_and_sla_after_a_failed_test_purchase(
        page, probe_shop, fake_stripe, django_user_model):
    fake_stripe.set_fault("status", status=503)
    synthetic_checkout_round()
    snapshot_clear()
    page.goto("/status/")
    row = page.locator("text=Checkout (test purchase)").first
    row.wait_for()
    assert "Partial outage" in page.content()
    shot(page, "status-checkout")

    heartbeat_record("scheduler")
    heartbeat_record("worker", timezone.now() - timedelta(minutes=7))
    ann = OnCallPerson.objects.create(name="Anna Nowak", phone="+48600100201", email="anna@example.com", position=1)
    OnCallShift.objects.create(person=ann, weekdays="01234", starts=time(8), ends=time(20))
    ivan = OnCallPerson.objects.create(name="Ivan Petrov", telegram_chat_id="202", position=2)
    OnCallShift.objects.create(person=ivan, weekdays="0123456", starts=time(20), ends=time(8))
    card = Provider.objects.get(code="stripe")
    HealthEvent.objects.create(provider=card, from_state="closed", to_state="open", reason="3 unavailable in a row")

    django_user_model.objects.create_superuser("boss", "boss@example.com", "boss-pass-123")
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", "boss-pass-123")
    page.click("input[type=submit]")
    page.wait_for_url(lambda url: "/admin/login" not in url)
    worker = page.locator("#sf-beat-worker")
    assert "No heartbeat" in worker.inner_text() and "sf-bad" in worker.get_attribute("class")
    assert "1 failing" in page.locator("#sf-test-purchase").inner_text()
    page.locator("#sf-background").scroll_into_view_if_needed()
    shot(page, "dashboard-background")

    page.goto("/admin/oncall/oncallperson/")
    assert "gaps in the next 7 days" in page.locator("#sf-oncall-coverage").inner_text()
    shot(page, "oncall-coverage")

    page.goto(f"/admin/sla/?month={timezone.localdate():%Y-%m}")
    assert "3 unavailable in a row" in page.locator("#sf-sla").inner_text()
    shot(page, "sla-report")


def test_lifeboat_page_in_polish_with_qr_codes(chromium, tmp_path):
    from watch.config import load
    from watch.runner import Watcher
    from watch.store import write_atomic
    from watch.web import serve

    write_atomic(tmp_path / "snapshot.json", (
        b'{"shop": {"name": "Sklep Kowalski", "phone": "+48 22 555 01 02", "email": "pomoc@sklep.example", '
        b'"currency": "PLN"}, "products": [{"name": "Kapelusz", "category": "Czapki", "variants": [{"sku": "K-1", '
        b'"label": "M", "price": "89.00", "in_stock": true}]}], "delivery_methods": [{"code": "pickup", '
        b'"name": "Odbi\xc3\xb3r osobisty", "needs_address": false}]}'))
    write_atomic(tmp_path / "state.json", b'{"state": "down", "since": "2026-11-30T20:00:00+00:00"}')
    config = load(None, {"WATCH_SHOP_URL": "http://127.0.0.1:9", "WATCH_DATA_DIR": str(tmp_path),
                         "WATCH_LISTEN": "127.0.0.1:0", "WATCH_MESSENGERS": "Telegram=https://t.me/sklep",
                         "WATCH_OUTAGE_NOTE": "Wracamy ok. 22:00."})
    server = serve(Watcher(config))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = chromium.new_context(viewport={"width": 900, "height": 900}, locale="pl-PL")
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/")
        assert "nasza strona jest chwilowo niedostępna" in page.locator("h1").inner_text()
        assert page.locator("svg.segno").count() == 3
        shot(page, "lifeboat-pl")
    finally:
        context.close()
        server.shutdown()
        server.server_close()
