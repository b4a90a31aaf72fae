"""The waiting room's staff switch in the admin: state shown, on / auto / off for every node, each change audited."""

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from steadfast.waitroom import room
from steadfast.waitroom.models import SwitchChange

SWITCH_URL = "admin:waitroom_switchchange_switch"


@pytest.fixture(autouse=True)
def fresh_room():
    room.reset()
    yield
    room.reset()


@pytest.mark.django_db
def test_staff_switch_on_queues_new_visitors_and_is_audited(admin_client, admin_user, client):
    page = admin_client.get(reverse("admin:waitroom_switchchange_changelist"))
    assert page.status_code == 200 and 'id="waitroom-state"' in page.text and "Automatic (by load)" in page.text

    response = admin_client.post(reverse(SWITCH_URL), {"state": "on", "reason": "launch at noon"})
    assert response.status_code == 302
    assert room.mode() == "on" and room.active()
    row = SwitchChange.objects.get()
    assert (row.user, row.actor, row.from_state, row.to_state, row.reason) == (
        admin_user, admin_user.username, "auto", "on", "launch at noon")
    for _ in range(30):
        room.ticket_take()  # thirty visitors came first; five a second are let in
    assert client.get("/").status_code == 503  # a new visitor now queues
    assert "launch at noon" in admin_client.get(reverse("admin:waitroom_switchchange_changelist")).text

    admin_client.post(reverse(SWITCH_URL), {"state": "auto", "reason": ""})
    assert room.mode() == "auto" and not room.active()
    assert list(SwitchChange.objects.values_list("from_state", "to_state")) == [("on", "auto"), ("auto", "on")]


@pytest.mark.django_db
def test_off_never_queues_even_over_the_load_limit(admin_client, settings):
    settings.WAITROOM_MAX_INFLIGHT = 2
    assert room._active(load=5)  # auto: over the limit, new visitors queue
    admin_client.post(reverse(SWITCH_URL), {"state": "off", "reason": "queue misbehaves"})
    assert room.mode() == "off" and not room._active(load=5)
    assert SwitchChange.objects.get().to_state == "off"


@pytest.mark.django_db
def test_unknown_state_changes_nothing(admin_client):
    admin_client.post(reverse(SWITCH_URL), {"state": "maybe"})
    assert room.mode() == "auto" and not SwitchChange.objects.exists()


@pytest.mark.django_db
def test_non_staff_and_staff_without_the_permission_are_refused(client, django_user_model):
    shopper = django_user_model.objects.create_user("shopper", password="pw-shopper-1")
    client.force_login(shopper)
    response = client.post(reverse(SWITCH_URL), {"state": "on"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]

    clerk = django_user_model.objects.create_user("clerk", password="pw-clerk-1", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_switchchange"))
    client.force_login(clerk)
    assert client.post(reverse(SWITCH_URL), {"state": "on"}).status_code == 403
    assert 'name="state"' not in client.get(reverse("admin:waitroom_switchchange_changelist")).text
    assert room.mode() == "auto" and not SwitchChange.objects.exists()


@pytest.mark.browser
def test_staff_switch_in_the_browser(page, django_user_model, tmp_path):
    django_user_model.objects.create_superuser("boss", "boss@example.com", "boss-pass-123")
    page.goto("/admin/login/?next=/admin/waitroom/switchchange/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", "boss-pass-123")
    page.click("input[type=submit]")
    page.wait_for_url(lambda url: "/admin/login" not in url)
    page.fill("#id_reason", "launch at noon")
    page.click("button[name=state][value=on]")
    page.wait_for_selector(".messagelist .success")
    assert "On: queue new visitors" in page.locator("#waitroom-state").inner_text()
    assert "launch at noon" in page.locator("#result_list").inner_text()
    shots = Path(os.environ.get("SCREENSHOT_DIR", tmp_path))
    page.screenshot(path=str(shots / "waitroom-admin.png"), full_page=True)
    assert room.mode() == "on" and SwitchChange.objects.get().actor == "boss"
