"""An incident reads its times one way: the shop's zone, named, in the language's one format (no UTC mix)."""

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from steadfast.status.models import Incident

pytestmark = pytest.mark.django_db
SHOP_TIME = re.compile(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d CES?T")
SHOTS = Path(django_settings.BASE_DIR) / "var" / "shots"


def test_incident_text_and_status_page_use_one_format(client, card, break_provider, recover_provider, settings):
    settings.TIME_ZONE = "Europe/Warsaw"
    settings.INCIDENT_AFTER_SECONDS = 0
    break_provider(card)
    recover_provider(card)
    messages = [u.message for u in Incident.objects.get().updates.order_by("created_at", "id")]
    assert len(messages) == 2 and all(SHOP_TIME.search(m) for m in messages), messages
    assert not any("UTC" in m or re.search(r"\d{4}-\d\d-\d\d", m) for m in messages), messages

    page = client.get("/status/").content.decode()
    text = re.sub(r"<[^>]+>", " ", page)
    assert "UTC" not in text and "p.m." not in text and "a.m." not in text
    assert len(SHOP_TIME.findall(text)) >= 3, text  # the updates' own stamps and the times inside their messages
