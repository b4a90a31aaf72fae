import json
import socket
import xml.etree.ElementTree as ET
from io import StringIO

import pytest
from django.core.management import call_command

from steadfast.status.incidents import incident_open
from steadfast.status.models import Banner, OriginCheck

pytestmark = pytest.mark.django_db
ATOM = {"a": "http://www.w3.org/2005/Atom"}
API = {
    "status.json",
    "summary.json",
    "components.json",
    "incidents.json",
    "incidents/unresolved.json",
    "scheduled-maintenances.json",
    "scheduled-maintenances/upcoming.json",
    "scheduled-maintenances/active.json",
}


def dead_origin():
    """A loopback URL where nothing listens: the shop's web process is stopped."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def _export(tmp_path, *args):
    call_command("status", "export", str(tmp_path), *args, stdout=StringIO(), stderr=StringIO())
    return {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}


def test_export_writes_static_status_copy(tmp_path, settings):
    incident = incident_open("Card payments down", "The gateway does not answer.", ["website"], "major")
    Banner.objects.create(message="Call us", phone="+48 500 600 700", telegram="https://t.me/steadfast_shop")
    names = _export(tmp_path, "--no-check")
    assert names == (
        {"index.html", "feed.atom", "contacts/index.html", "history/index.html", f"incidents/{incident.id}/index.html"}
        | {f"api/v2/{n}" for n in API}
        | {"unreachable/index.html", "unreachable/feed.atom"}
        | {f"unreachable/api/v2/{n}" for n in API}
    )
    summary = json.loads((tmp_path / "api/v2/summary.json").read_text())
    assert summary["status"]["indicator"] == "major"
    assert summary["incidents"][0]["name"] == "Card payments down"
    assert json.loads((tmp_path / "api/v2/status.json").read_text())["status"]["indicator"] == "major"
    ET.fromstring((tmp_path / "feed.atom").read_bytes())

    index = (tmp_path / "index.html").read_text()
    assert "Card payments down" in index and "The gateway does not answer." in index
    assert f'href="/status/incidents/{incident.id}/"' in index and "Our website is not answering" not in index
    contacts = (tmp_path / "contacts/index.html").read_text()
    assert 'href="tel:+48500600700"' in contacts and 'href="https://t.me/steadfast_shop"' in contacts
    assert f"mailto:{settings.SHOP_EMAIL}" in contacts  # the banner has no e-mail: the shop's own
    assert contacts.count("<svg") == 3
    permalink = (tmp_path / f"incidents/{incident.id}/index.html").read_text()
    assert "Card payments down" in permalink and "The gateway does not answer." in permalink


def test_the_fallback_variant_never_reads_operational(tmp_path):
    """unreachable/ is what nginx serves when it cannot reach the shop: website down, indicator critical."""
    _export(tmp_path, "--no-check")
    assert json.loads((tmp_path / "api/v2/status.json").read_text())["status"]["indicator"] == "none"
    status = json.loads((tmp_path / "unreachable/api/v2/status.json").read_text())["status"]
    assert status == {"indicator": "critical", "description": "Our website is not answering"}
    components = json.loads((tmp_path / "unreachable/api/v2/components.json").read_text())["components"]
    assert next(c for c in components if c["id"] == "website")["status"] == "major_outage"
    page = (tmp_path / "unreachable/index.html").read_text()
    assert "All systems operational" not in page and "Our website is not answering right now." in page
    assert "Get incident news by e-mail" not in page  # no form that would post to a shop that is down
    feed = ET.fromstring((tmp_path / "unreachable/feed.atom").read_bytes())
    assert feed.find("a:entry", ATOM).findtext("a:title", namespaces=ATOM) == "Our website is not answering"


def test_export_while_the_website_is_down_says_so(tmp_path, settings):
    settings.STATUS_ORIGIN_URL = dead_origin()
    err = StringIO()
    call_command("status", "export", str(tmp_path), stdout=StringIO(), stderr=err)
    assert f"website {settings.STATUS_ORIGIN_URL}: down (ConnectionRefusedError" in err.getvalue()
    check = OriginCheck.objects.get()
    assert check.outcome == "down"
    # The plain copy (what a bucket or another host serves) reflects the outage it just measured.
    summary = json.loads((tmp_path / "api/v2/summary.json").read_text())
    assert summary["status"] == {"indicator": "critical", "description": "Our website is not answering"}
    assert next(c for c in summary["components"] if c["id"] == "website")["status"] == "major_outage"
    page = (tmp_path / "index.html").read_text()
    assert "It has not answered since" in page and "All systems operational" not in page
    feed = (tmp_path / "feed.atom").read_text()
    assert "Our website has not answered since" in feed

    # The next export still counts the outage from its first failed check.
    call_command("status", "export", str(tmp_path), stdout=StringIO(), stderr=StringIO())
    assert OriginCheck.objects.filter(outcome="down").count() == 2
    again = json.loads((tmp_path / "api/v2/summary.json").read_text())
    website = next(c for c in again["components"] if c["id"] == "website")
    assert website["updated_at"] == check.created_at.isoformat()


def test_nginx_snippet_only_falls_back_when_the_shop_does_not_answer(tmp_path):
    out = StringIO()
    call_command("status", "nginx-snippet", "--dir", str(tmp_path), stdout=out)
    text = out.getvalue()
    assert "error_page 502 504 =503 @steadfast_offline;" in text
    assert "503 @" not in text.replace("=503 @", "")  # the shop's own 503 (maintenance) is never replaced
    assert f"root {tmp_path.resolve()};" in text


def test_status_check_records_the_website_and_old_checks_are_pruned(settings, live_server):
    from datetime import timedelta

    from django.utils import timezone

    from steadfast.status.origin import origin_checks_prune
    from steadfast.status.services import shop_mode_set

    settings.STATUS_ORIGIN_URL = live_server.url
    err = StringIO()
    call_command("status", "check", stderr=err)
    assert f"website {live_server.url}: up" in err.getvalue()
    shop_mode_set("maintenance", reason="upgrade")
    call_command("status", "check", stderr=StringIO())  # /healthz answers, but customers cannot order
    assert list(OriginCheck.objects.order_by("id").values_list("outcome", flat=True)) == ["up", "maintenance"]

    old = OriginCheck.objects.create(outcome="up", created_at=timezone.now() - timedelta(days=92))
    assert origin_checks_prune() == 1 and not OriginCheck.objects.filter(pk=old.pk).exists()
