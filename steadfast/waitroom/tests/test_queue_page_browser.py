"""The queue page in a real browser, in Polish and Russian: place, estimate, no script needed to move on."""

import os
from pathlib import Path

import pytest

from steadfast.waitroom import room

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(("locale", "title", "place_label"), [
    ("pl-PL", "Mamy teraz bardzo wielu gości: jesteś w kolejce", "Twoje miejsce w kolejce"),
    ("ru-RU", "Сейчас у нас очень много посетителей: вы в очереди", "ваше место в очереди"),
])
def test_queue_page_in_the_visitors_language(chromium, live_server, shop_defaults, settings, tmp_path, locale, title,
                                             place_label):
    settings.WAITROOM_SWITCH_RATE = 1
    room.reset()
    room.mode_set("on")  # staff: queue new visitors, one a second
    for _ in range(30):
        room.ticket_take()  # thirty visitors came first
    context = chromium.new_context(base_url=live_server.url, locale=locale, java_script_enabled=False,
                                   viewport={"width": 1000, "height": 760})
    try:
        page = context.new_page()
        response = page.goto("/")
        assert response.status == 503 and response.headers["retry-after"] == "5"
        assert page.locator("h1").inner_text() == title
        assert place_label in page.locator("#waiting-room").inner_text()
        assert 1 <= int(page.locator("#position").inner_text()) <= 30  # a second passed: some were let in
        assert page.locator('meta[http-equiv="refresh"]').get_attribute("content") == "5"
        shots = Path(os.environ.get("SCREENSHOT_DIR", tmp_path))
        page.screenshot(path=str(shots / f"waitroom-{locale}.png"), full_page=True)

        room.mode_set("auto")
        room.reset()
        page.goto("/")
        assert page.locator("#waiting-room").count() == 0  # the room is off: straight into the shop
    finally:
        context.close()
        room.reset()
