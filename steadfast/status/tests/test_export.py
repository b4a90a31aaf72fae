import json
import xml.etree.ElementTree as ET
from io import StringIO

import pytest
from django.core.management import call_command

from steadfast.status.incidents import incident_open
from steadfast.status.models import Banner

pytestmark = pytest.mark.django_db


def test_export_writes_static_status_copy(tmp_path, settings):
    incident_open("Card payments down", "The gateway does not answer.", ["website"], "major")
    Banner.objects.create(message="Call us", phone="+48 500 600 700", telegram="https://t.me/steadfast_shop")
    out = StringIO()
    call_command("status", "export", str(tmp_path), stdout=out)
    names = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    assert names == {"index.html", "contacts/index.html", "api/v2/summary.json", "api/v2/status.json", "feed.atom"}

    summary = json.loads((tmp_path / "api/v2/summary.json").read_text())
    assert summary["status"]["indicator"] == "major"
    assert summary["incidents"][0]["name"] == "Card payments down"
    assert json.loads((tmp_path / "api/v2/status.json").read_text())["status"]["indicator"] == "major"
    ET.fromstring((tmp_path / "feed.atom").read_bytes())

    index = (tmp_path / "index.html").read_text()
    assert '<base href="/_status_offline/">' in index
    assert "Card payments down" in index and "The gateway does not answer." in index
    contacts = (tmp_path / "contacts/index.html").read_text()
    assert 'href="tel:+48500600700"' in contacts and 'href="https://t.me/steadfast_shop"' in contacts
    assert f"mailto:{settings.SHOP_EMAIL}" in contacts  # the banner has no e-mail: the shop's own
    assert contacts.count("<svg") == 3


def test_nginx_snippet_serves_the_export_on_upstream_errors(tmp_path):
    out = StringIO()
    call_command("status", "nginx-snippet", "--dir", str(tmp_path), stdout=out)
    text = out.getvalue()
    assert "proxy_intercept_errors on;" in text
    assert "error_page 502 503 504 =503 @steadfast_offline;" in text
    assert f"root {tmp_path.resolve()};" in text and f"alias {tmp_path.resolve()}/;" in text
