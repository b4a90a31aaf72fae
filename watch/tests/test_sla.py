"""The SLA report from the watcher's own checks: uptime, budget and downtime windows with their evidence; served
as CSV/HTML behind the report key and printed by `python -m watch sla`."""

import csv
import io
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from watch.config import load
from watch.runner import Watcher
from watch.sla import month_report, report_csv, round_record
from watch.tests.fake_shop import FakeShop
from watch.web import serve

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
    rows = list(csv.reader(io.StringIO(report_csv(list(report.values()), "2026-11"))))
    assert rows[0][:5] == ["month", "component", "checks", "failed_checks", "uptime_pct"]
    assert ["payment-stripe", "2026-11-01T08:20:00+00:00", "2026-11-01T08:49:00+00:00",
            "2026-11-01T08:50:00+00:00", "30.0", "30", ""] in rows


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
