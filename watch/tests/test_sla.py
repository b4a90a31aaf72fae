"""The SLA report from the watcher's own checks: uptime, error rate, budget and downtime windows with their
evidence (the watcher's on-call page, the shop's status page incident); served as CSV/HTML/PDF behind the report key
and printed by `python -m watch sla`."""

import base64
import csv
import io
import json
import re
import subprocess
import sys
import threading
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from watch.config import ConfigError, load
from watch.runner import Watcher
from watch.sla import month_report, report_csv, round_record
from watch.tests.fake_shop import ALL_WELL, FakeShop
from watch.tests.test_oncall import ROTA
from watch.web import serve

ROOT = Path(__file__).resolve().parents[2]

START = datetime(2026, 11, 1, tzinfo=UTC)


def record(tmp_path, minute, state, components=None, problems=()):
    round_record(tmp_path, START + timedelta(minutes=minute), state, problems, components or {})


def test_month_report_uptime_budget_and_windows(tmp_path):
    # 1000 minutes of checks every minute: the shop down from minute 100 to 110 (first good check at 110),
    # the card gateway out from 500 to 530 while the shop was up.
    for minute in range(0, 1001):
        if 100 <= minute < 110:
            record(tmp_path, minute, "down", problems=["healthz: connection refused or unreachable"])
        else:
            card = "major_outage" if 500 <= minute < 530 else "operational"
            record(tmp_path, minute, "up" if card == "operational" else "degraded",
                   {"website": "operational", "payment-stripe": card})
    report = {c["component"]: c for c in month_report(tmp_path, "2026-11", 99.0)}
    shop, card = report["shop"], report["payment-stripe"]
    assert [(w["start"][11:16], w["last_failed"][11:16], w["end"][11:16], w["minutes"], w["checks"])
            for w in shop["windows"]] == [("01:40", "01:49", "01:50", 10.0, 10)]
    assert shop["windows"][0]["problem"] == "healthz: connection refused or unreachable"
    assert shop["uptime_pct"] == 99.0 and shop["budget_minutes"] == 10.0 and shop["budget_left_minutes"] == 0.0
    assert [w["minutes"] for w in card["windows"]] == [10.0, 30.0]  # the shop's own outage counts against it too
    assert card["budget_left_minutes"] == -30.0
    # Error rate: failed checks / checks (10 and 10 + 30 of 1001).
    assert (shop["failed_checks"], shop["error_rate_pct"]) == (10, 1.0)
    assert (card["failed_checks"], card["error_rate_pct"]) == (40, round(100 * 40 / 1001, 2))
    rows = list(csv.reader(io.StringIO(report_csv(list(report.values()), "2026-11"))))
    assert rows[0][:6] == ["month", "component", "checks", "failed_checks", "error_rate_pct", "uptime_pct"]
    assert rows[1][:5] == ["2026-11", "shop", "1001", "10", "1.0"]
    assert ["payment-stripe", "2026-11-01T08:20:00+00:00", "2026-11-01T08:49:00+00:00",
            "2026-11-01T08:50:00+00:00", "30.0", "30", "", "", ""] in rows


def test_a_single_failed_check_counts_until_the_first_good_one_and_an_open_window_until_now(tmp_path):
    # Checks every 2 minutes; one failed check at minute 10 between good ones at 8 and 12; then a failure at 20
    # with no good check after it.
    for minute in (0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20):
        record(tmp_path, minute, "down" if minute in (10, 20) else "up", problems=["healthz: HTTP 502"])
    report = month_report(tmp_path, "2026-11", 99.0, now=START + timedelta(minutes=27))[0]
    assert [(w["start"][11:16], w["end"][11:16], w["minutes"], w["checks"]) for w in report["windows"]] == [
        ("00:10", "00:12", 2.0, 1), ("00:20", "", 7.0, 1)]
    assert report["downtime_minutes"] == 9.0 and report["measured_to"][11:16] == "00:27"
    assert report["uptime_pct"] == round(100 * (1 - 9 / 27), 3)
    # A past month: the open window stops at the month's end, not at the time the report is made.
    late = month_report(tmp_path, "2026-11", 99.0, now=datetime(2027, 1, 5, tzinfo=UTC))[0]
    assert late["windows"][1]["minutes"] == (29 * 24 * 60 + 23 * 60 + 40) and late["measured_to"].startswith(
        "2026-12-01T00:00")
    assert "ongoing" in report_csv([report], "2026-11")


def test_rounds_are_recorded_and_the_report_needs_its_key(tmp_path):
    shop = FakeShop()
    try:
        config = load(None, {"WATCH_SHOP_URL": shop.url, "WATCH_DATA_DIR": str(tmp_path),
                             "WATCH_LISTEN": "127.0.0.1:0", "WATCH_REPORT_TOKEN": "r" * 24})
        watcher = Watcher(config)
        shop.documents["/status/api/v2/summary.json"]["components"] = [{"id": "website", "status": "operational"}]
        watcher.tick()
        healthz = shop.documents.pop("/healthz")
        watcher.tick()
        shop.documents["/healthz"] = healthz  # the window closes: the report no longer depends on the clock
        watcher.tick()
        server = serve(watcher)
        import threading

        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}"
        month = datetime.now(UTC).strftime("%Y-%m")
        with httpx.Client(base_url=base, trust_env=False, timeout=5) as browser:
            assert browser.get("/watch/sla.csv").status_code == 404
            assert browser.get("/watch/sla.csv", params={"key": "wrong"}).status_code == 404
            answer = browser.get("/watch/sla.csv", params={"key": "r" * 24, "month": month})
            page = browser.get("/watch/sla", params={"key": "r" * 24, "month": month}).text
        server.shutdown()
        server.server_close()
        rows = list(csv.reader(io.StringIO(answer.text)))
        assert rows[1][1:4] == ["shop", "3", "1"] and "Availability report" in page and "healthz: HTTP 404" in page
        printed = subprocess.run([sys.executable, "-m", "watch", "sla", "--month", month], capture_output=True,
                                 text=True, check=True, cwd=Path(__file__).resolve().parents[2],
                                 env={"WATCH_SHOP_URL": shop.url, "WATCH_DATA_DIR": str(tmp_path)}).stdout
        assert printed == answer.text.replace("\r\n", "\n") and "HTTP 404" in printed
    finally:
        shop.close()


def test_each_window_names_the_watchers_page_and_the_shops_incident(tmp_path):
    incident = {"id": "7", "name": "Card payments unavailable", "url": "https://shop.example/status/incidents/7/",
                "components": ["payment-stripe"]}
    other = {"id": "8", "name": "Courier late", "url": "", "components": ["shipping-cdek"]}
    for minute in range(0, 60):
        card_out = 10 <= minute < 20
        if 40 <= minute < 45:  # the shop itself down: nobody answered, no incident could be read
            round_record(tmp_path, START + timedelta(minutes=minute), "down", ["healthz: HTTP 502"], {})
            continue
        round_record(tmp_path, START + timedelta(minutes=minute), "degraded" if card_out else "up", [],
                     {"payment-stripe": "major_outage" if card_out else "operational", "shipping-cdek": "operational"},
                     [incident, other] if card_out else ())
    pages = [  # as watch/oncall.py keeps them: one for the card outage, one for the shop's, one long before
        {"id": "aaaa00000001", "event": "degraded", "opened_at": "2026-11-01T00:12:00+00:00", "acked_by": "Bob",
         "closed_at": "2026-11-01T00:46:00+00:00"},
        {"id": "bbbb00000002", "event": "down", "opened_at": "2026-11-01T00:42:00+00:00", "acked_by": "",
         "closed_at": ""},
        {"id": "cccc00000003", "event": "down", "opened_at": "2026-10-31T10:00:00+00:00", "acked_by": "Ann",
         "closed_at": "2026-10-31T10:30:00+00:00"}]
    (tmp_path / "pages.json").write_text(json.dumps(pages))
    report = {c["component"]: c for c in month_report(tmp_path, "2026-11", 99.9, now=START + timedelta(hours=1))}
    card = report["payment-stripe"]["windows"]
    shop = report["shop"]["windows"]
    assert [(w["start"][11:16], w["end"][11:16]) for w in card] == [("00:10", "00:20"), ("00:40", "00:45")]
    assert [p["id"] for p in card[0]["pages"]] == ["aaaa00000001"]  # the shop's "down" page is the second's
    assert [i["id"] for i in card[0]["incidents"]] == ["7"]  # not the courier's incident
    assert [p["id"] for p in card[1]["pages"]] == ["aaaa00000001", "bbbb00000002"] and card[1]["incidents"] == []
    # The shop's own downtime is named by "down" pages only (a "degraded" page still open is about a component).
    assert len(shop) == 1 and [p["id"] for p in shop[0]["pages"]] == ["bbbb00000002"] and shop[0]["incidents"] == []
    rows = list(csv.reader(io.StringIO(report_csv(list(report.values()), "2026-11"))))
    header = rows[rows.index([]) + 1]
    assert header[-2:] == ["watcher_pages", "shop_incidents"]
    first = dict(zip(header, next(r for r in rows if r[:2] == ["payment-stripe", "2026-11-01T00:10:00+00:00"]),
                     strict=True))
    assert first["watcher_pages"] == "page aaaa00000001 (degraded, acknowledged by Bob)"
    assert first["shop_incidents"] == "#7 Card payments unavailable <https://shop.example/status/incidents/7/>"


def pdf_text(content: bytes) -> str:
    """The text shown on the PDF's pages: reportlab's ASCII85 + Flate streams decoded, each `(...) Tj` joined by a
    space (a table cell's wrapped lines are separate strings)."""
    streams = re.findall(rb"/Filter \[ /ASCII85Decode /FlateDecode \].*?stream\r?\n(.*?)endstream", content, re.S)
    raw = "".join(zlib.decompress(base64.a85decode(s.strip(), adobe=True)).decode("latin-1") for s in streams)
    return " ".join(re.findall(r"\((.*?)\) Tj", raw))


@pytest.fixture
def watched(tmp_path):
    """A watcher that saw the card gateway fail for one round (the shop's incident open, the on-call paged) and come
    back, serving its report on 127.0.0.1."""
    shop = FakeShop()
    shop.documents["/api/v1/lifeboat"] = {"shop": {"name": "Shop"}, "products": [], "delivery_methods": []}
    shop.documents["/api/v1/lifeboat/oncall"] = ROTA
    config = load(None, {"WATCH_SHOP_URL": shop.url, "WATCH_DATA_DIR": str(tmp_path), "WATCH_SHOP_TOKEN": "t" * 32,
                         "WATCH_DOWN_AFTER": "1", "WATCH_UP_AFTER": "1", "WATCH_LISTEN": "127.0.0.1:0",
                         "WATCH_REPORT_TOKEN": "r" * 24, "WATCH_SLA_TARGET": "99.5"})
    watcher = Watcher(config)
    card = [{"id": "payment-stripe", "status": "operational"}]
    shop.documents["/status/api/v2/summary.json"] = {**ALL_WELL, "components": card}
    watcher.tick()
    shop.documents["/status/api/v2/summary.json"] = {
        "status": {"indicator": "minor", "description": "Partial outage"}, "synthetic_checkout": {},
        "components": [{"id": "payment-stripe", "status": "major_outage"}],
        "incidents": [{"id": "31", "name": "Card payments unavailable", "shortlink": f"{shop.url}/status/incidents/31/",
                       "components": [{"id": "payment-stripe", "name": "Card"}]}]}
    watcher.tick()
    shop.documents["/status/api/v2/summary.json"] = {**ALL_WELL, "components": card}
    watcher.tick()
    server = serve(watcher)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with httpx.Client(base_url=f"http://127.0.0.1:{server.server_address[1]}", trust_env=False, timeout=10) as client:
        yield client, watcher, shop
    server.shutdown()
    server.server_close()
    shop.close()


def test_pdf_over_http_with_the_evidence_behind_the_report_key(watched):
    client, watcher, shop = watched
    month = datetime.now(UTC).strftime("%Y-%m")
    page = json.loads((watcher.config.data_dir / "pages.json").read_text())[0]
    assert page["event"] == "degraded"  # the watcher paged the person on call for the card outage
    assert client.get("/watch/sla.pdf").status_code == 404
    assert client.get("/watch/sla.pdf", params={"key": "x" * 24, "month": month}).status_code == 404
    answer = client.get("/watch/sla.pdf", params={"key": "r" * 24, "month": month})
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF")
    text = pdf_text(answer.content)
    card = next(c for c in month_report(watcher.config.data_dir, month, 99.5) if c["component"] == "payment-stripe")
    window = card["windows"][0]
    assert f"Availability report {month}" in text and "Contract uptime: 99.5%" in text and shop.url in text
    assert "payment-stripe" in text and card["error_rate_pct"] == round(100 / 3, 2) and "33.33" in text
    assert window["start"][:19].replace("T", " ") in text and "status page: Partial outage" in text
    assert page["id"] in text and "#31 Card payments unavailable" in text
    csv_rows = list(csv.reader(io.StringIO(client.get("/watch/sla.csv", params={"key": "r" * 24}).text)))
    stripe = next(r for r in csv_rows if r[:1] == ["payment-stripe"] and len(r) == 9)
    assert stripe[-2].startswith(f"page {page['id']} (degraded")
    assert stripe[-1] == f"#31 Card payments unavailable <{shop.url}/status/incidents/31/>"
    html = client.get("/watch/sla", params={"key": "r" * 24, "month": month}).text
    assert f'<a href="{shop.url}/status/incidents/31/">#31 Card payments unavailable</a>' in html
    link = re.search(r'href="(sla\.pdf\?[^"]+)"', html).group(1).replace("&amp;", "&")
    assert link == f"sla.pdf?key={'r' * 24}&month={month}"  # the page links its PDF (and CSV) with the key
    assert client.get(f"/watch/{link}").headers["content-type"] == "application/pdf"


def test_without_reportlab_the_pdf_says_how_to_install_it(watched, monkeypatch):
    client, watcher, _shop = watched
    for name in [n for n in sys.modules if n == "reportlab" or n.startswith("reportlab.")] + ["reportlab"]:
        monkeypatch.setitem(sys.modules, name, None)  # as on a watcher installed from watch/requirements.txt only
    answer = client.get("/watch/sla.pdf", params={"key": "r" * 24})
    assert answer.status_code == 501 and "requirements-pdf.txt" in answer.text
    assert client.get("/watch/sla.csv", params={"key": "r" * 24}).status_code == 200


def test_cli_pdf_and_the_message_when_reportlab_is_missing(tmp_path):
    for minute in range(3):
        record(tmp_path, minute, "down" if minute == 1 else "up", problems=["healthz: HTTP 502"])
    month = START.strftime("%Y-%m")
    env = {"WATCH_SHOP_URL": "http://127.0.0.1:9", "WATCH_DATA_DIR": str(tmp_path)}
    pdf = subprocess.run([sys.executable, "-m", "watch", "sla", "--month", month, "--format", "pdf"],
                         capture_output=True, check=True, cwd=ROOT, env=env).stdout
    assert pdf.startswith(b"%PDF") and "healthz: HTTP 502" in pdf_text(pdf)
    blocker = tmp_path / "blocker" / "reportlab"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('not installed here')\n")
    missing = subprocess.run([sys.executable, "-m", "watch", "sla", "--month", month, "--format", "pdf"],
                             capture_output=True, text=True, cwd=ROOT, env={**env, "PYTHONPATH": str(blocker.parent)})
    assert missing.returncode == 2 and missing.stdout == ""
    assert "pip install --require-hashes -r watch/requirements-pdf.txt" in missing.stderr


@pytest.mark.parametrize("value", ["100.5", "-1", "nan", "high"])
def test_the_contract_figure_is_a_percentage(tmp_path, value):
    with pytest.raises(ConfigError, match="WATCH_SLA_TARGET"):
        load(None, {"WATCH_SHOP_URL": "http://127.0.0.1:9", "WATCH_DATA_DIR": str(tmp_path),
                    "WATCH_SLA_TARGET": value})
    assert load(None, {"WATCH_SHOP_URL": "http://127.0.0.1:9", "WATCH_DATA_DIR": str(tmp_path),
                       "WATCH_SLA_TARGET": "99.95"}).sla_target == 99.95


def _pins(path: Path) -> dict[str, tuple[str, frozenset]]:
    """name -> (version, hashes) of a pip-compile style requirements file."""
    pins, name = {}, None
    for line in path.read_text().splitlines():
        if re.match(r"^[A-Za-z0-9_.-]+==", line):
            name, version = line.split(" ")[0].split("==")
            pins[name] = (version, frozenset())
        elif name and "--hash=" in line:
            pins[name] = (pins[name][0], pins[name][1] | {line.split("--hash=")[1].rstrip(" \\")})
    return pins


def test_the_pdf_requirements_are_the_shops_pins_with_every_hash():
    base, pdf = _pins(ROOT / "requirements" / "base.txt"), _pins(ROOT / "watch" / "requirements-pdf.txt")
    assert set(pdf) == {"reportlab", "pillow", "charset-normalizer"}
    assert all(pdf[name] == base[name] for name in pdf)


def test_no_csv_cell_starts_a_spreadsheet_formula(tmp_path):
    """A problem's text is what the shop (or whatever answers in its place) sent back."""
    record(tmp_path, 0, "up")
    record(tmp_path, 1, "down", problems=['=HYPERLINK("http://evil.example","x")'])
    record(tmp_path, 2, "up")
    rows = list(csv.reader(io.StringIO(report_csv(month_report(tmp_path, "2026-11", 99.0), "2026-11"))))
    window = dict(zip(rows[rows.index([]) + 1], rows[rows.index([]) + 2], strict=True))
    assert window["problem"] == """'=HYPERLINK("http://evil.example","x")"""
