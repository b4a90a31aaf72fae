from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from steadfast.status.models import ModeChange, PartnerShop
from steadfast.status.selectors import current_mode
from steadfast.status.services import shop_mode_set, shop_mode_tick

pytestmark = pytest.mark.django_db


def test_maintenance_answers_503_with_retry_after_and_contacts(client, settings):
    eta = timezone.now() + timedelta(hours=1)
    shop_mode_set("maintenance", None, "database upgrade", until=eta, message="Upgrading the warehouse system.")
    response = client.get("/p/plain/")
    assert response.status_code == 503
    assert 3500 <= int(response["Retry-After"]) <= 3600
    body = response.content.decode()
    assert "Upgrading the warehouse system." in body
    assert settings.SHOP_PHONE in body and settings.SHOP_EMAIL in body
    assert 'id="eta"' in body
    assert client.post("/cart/add/", {"variant": 1}).status_code == 503


def test_maintenance_keeps_probes_status_and_admin_answering(client):
    shop_mode_set("maintenance", None, "upgrade")
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/status/").status_code == 200
    assert client.get("/status/api/v2/status.json").json()["status"]["indicator"] == "maintenance"
    assert client.get("/admin/login/").status_code == 200


def test_staff_bypass_maintenance(client, staff):
    shop_mode_set("maintenance", None, "upgrade")
    client.force_login(staff)
    response = client.get("/p/plain/")
    assert response.status_code == 200
    assert "Browsing the catalog" in response.content.decode()


def test_catalog_only_blocks_ordering_and_keeps_browsing(client, settings):
    PartnerShop.objects.create(name="Outdoor Partner", url="https://partner.example/steadfast")
    shop_mode_set("catalog-only", None, "stock count", eta=timezone.now() + timedelta(hours=2))
    assert client.get("/p/plain/").status_code == 200
    assert client.get("/status/").status_code == 200

    blocked = client.post("/cart/add/", {"variant": 1, "quantity": 1})
    assert blocked.status_code == 503
    body = blocked.content.decode()
    assert "Online ordering is paused" in body
    assert "https://partner.example/steadfast" in body and settings.SHOP_PHONE in body
    assert 'id="eta"' in body
    assert client.get("/checkout/").status_code == 503
    assert client.post("/checkout/place/").status_code == 503

    api = client.post("/api/v1/checkout", {}, content_type="application/json")
    assert api.status_code == 503
    assert api.json()["error"] == "ordering_unavailable" and api.json()["phone"] == settings.SHOP_PHONE
    assert client.post("/api/v1/cart/items", {}, content_type="application/json").status_code == 503


def test_phone_orders_shows_phone_ordering_page(client):
    shop_mode_set("phone_orders", None, "payment outage")
    response = client.get("/checkout/")
    assert response.status_code == 503
    assert "We take orders by phone and messenger right now" in response.content.decode()


def test_open_mode_lets_ordering_through(client):
    shop_mode_set("catalog_only", None, "stock count")
    shop_mode_set("open", None, "done")
    # Whatever the cart view answers, the mode middleware no longer stops it.
    assert client.post("/cart/add/", {}).status_code != 503


def test_every_change_is_an_audit_row(staff):
    shop_mode_set("catalog_only", staff, "stock count")
    shop_mode_set("open", None, "done", actor="cli")
    rows = list(ModeChange.objects.order_by("id").values_list("actor", "from_mode", "to_mode", "reason"))
    assert rows == [("staffer", "open", "catalog_only", "stock count"), ("cli", "catalog_only", "open", "done")]


def test_until_returns_to_open_and_tick_records_it():
    shop_mode_set("maintenance", None, "upgrade", until=timezone.now() + timedelta(minutes=5))
    later = timezone.now() + timedelta(minutes=6)
    assert current_mode(later).mode == "open"
    assert shop_mode_tick(later) == "open"
    assert current_mode().mode == "open"
    assert ModeChange.objects.first().to_mode == "open"


def test_scheduled_window_applies_and_ends():
    from steadfast.status.services import shop_mode_schedule

    start = timezone.now() + timedelta(hours=1)
    shop_mode_schedule("maintenance", start, start + timedelta(hours=1), reason="planned")
    assert current_mode().mode == "open"
    assert current_mode(start + timedelta(minutes=1)).mode == "maintenance"
    assert shop_mode_tick(start + timedelta(minutes=1)) == "maintenance"
    assert current_mode(start + timedelta(hours=2)).mode == "open"


def test_mode_command_sets_and_shows():
    from io import StringIO

    until = (timezone.now() + timedelta(hours=1)).isoformat()
    out = StringIO()
    call_command("mode", "set", "catalog-only", "--reason", "stock count", "--until", until, stdout=out)
    assert "mode: catalog_only" in out.getvalue()
    assert current_mode().mode == "catalog_only"
    out = StringIO()
    call_command("mode", "show", stdout=out)
    assert "cli: open -> catalog_only (stock count)" in out.getvalue()


def test_mode_command_rejects_bad_input_and_changes_nothing():
    with pytest.raises(CommandError, match="Unknown mode"):
        call_command("mode", "set", "closed", "--reason", "x")
    with pytest.raises(CommandError, match="not an ISO date"):
        call_command("mode", "set", "maintenance", "--reason", "x", "--until", "tomorrow")
    with pytest.raises(CommandError, match="future"):
        call_command("mode", "set", "maintenance", "--reason", "x", "--until", "2001-01-01T00:00")
    assert current_mode().mode == "open"
    assert not ModeChange.objects.exists()


def test_admin_change_writes_audit_row(client, staff):
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    shop_mode_set("open", None, "init")
    response = client.post(
        "/admin/status/shopmode/1/change/",
        {
            "mode": "catalog_only",
            "message": "Inventory",
            "eta_0": "",
            "eta_1": "",
            "until_0": "",
            "until_1": "",
            "scheduled_mode": "",
            "scheduled_start_0": "",
            "scheduled_start_1": "",
            "scheduled_end_0": "",
            "scheduled_end_1": "",
            "reason": "yearly inventory",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert current_mode().mode == "catalog_only"
    change = ModeChange.objects.first()
    assert (change.actor, change.to_mode, change.reason) == ("staffer", "catalog_only", "yearly inventory")


def test_admin_refuses_an_end_time_in_the_past(client, staff):
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    shop_mode_set("open", None, "init")
    response = client.post(
        "/admin/status/shopmode/1/change/",
        {
            "mode": "maintenance",
            "message": "",
            "eta_0": "",
            "eta_1": "",
            "until_0": "2001-01-01",
            "until_1": "10:00",
            "scheduled_mode": "",
            "scheduled_start_0": "",
            "scheduled_start_1": "",
            "scheduled_end_0": "",
            "scheduled_end_1": "",
            "reason": "oops",
        },
    )
    assert response.status_code == 200 and "Must be in the future." in response.content.decode()
    assert current_mode().mode == "open"
    assert ModeChange.objects.count() == 1
