"""Evidence for the hosting contract from the watcher's own checks: every round is a line in
checks-YYYY-MM.jsonl (time, observed state, the status page's component states, the problems), and the monthly
report gives per component the uptime, the error budget against the contract figure, and every downtime window
with its first and last failed check.

Components: "shop" (answers and sells: healthz, readyz, the catalog page) and each component of the shop's status
page (payments, delivery, checkout test purchase, ...). A round where the shop did not answer counts against every
component: nothing worked for the customer then.

Counting (the usual SLA convention): a downtime window runs from its first failed check to the first good check
after it, so a single failed check between two good ones counts one check interval. A window with no good check yet
is still open and runs until now (for a past month: until the month's end), never 0 minutes. The error rate is
failed checks / checks.

Evidence per window, besides its checks: the watcher's own on-call pages that covered it (pages.json: who was
paged, who acknowledged) and the shop's status page incidents open during it (recorded with each round).
"""

import csv
import io
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from urllib.parse import urlencode

from watch.checks import DOWN
from watch.store import append_record, read_json, read_records

OK_STATUSES = {"operational", "under_maintenance"}  # a maintenance window announced in advance is not downtime


def round_record(data_dir, at: datetime, state: str, problems, components: dict, incidents=()) -> None:
    record = {"at": at.isoformat(), "state": state, "problems": list(problems), "components": components}
    if incidents:  # most rounds have none: the file stays small
        record["incidents"] = list(incidents)
    append_record(Path(data_dir) / f"checks-{at:%Y-%m}.jsonl", record)


def month_report(data_dir, month: str, target_pct: float, now: datetime | None = None) -> list[dict]:
    rounds = read_records(Path(data_dir) / f"checks-{month}.jsonl")
    names = ["shop"] + sorted({cid for r in rounds for cid in r.get("components", {})})
    until = min(now or datetime.now(UTC), _month_end(month))  # where an open window stops being counted
    report = [_component(name, rounds, target_pct, until) for name in names] if rounds else []
    pages = read_json(Path(data_dir) / "pages.json") or []
    for component in report:
        for window in component["windows"]:
            window["pages"] = _pages_covering(pages, component["component"], window, until)
    return report


def _pages_covering(pages, name, window, until) -> list[dict]:
    """The watcher's on-call pages open at some time in the window: "down" pages for the shop, any for a component
    (a broken payment method pages as "degraded")."""
    start = datetime.fromisoformat(window["start"])
    end = datetime.fromisoformat(window["end"]) if window["end"] else until
    return [{"id": p["id"], "event": p["event"], "opened_at": p["opened_at"], "acked_by": p.get("acked_by", "")}
            for p in pages if (name != "shop" or p.get("event") == "down")
            and datetime.fromisoformat(p["opened_at"]) <= end
            and (not p.get("closed_at") or datetime.fromisoformat(p["closed_at"]) >= start)]


def _month_end(month: str) -> datetime:
    year, number = (int(part) for part in month.split("-"))
    return datetime(year + number // 12, number % 12 + 1, 1, tzinfo=UTC)


def _failed(name, record) -> bool:
    if record["state"] == DOWN:
        return True
    if name == "shop":
        return False
    status = record.get("components", {}).get(name)
    return status is not None and status not in OK_STATUSES


def _incidents_of(name, record) -> list[dict]:
    """The shop's open incidents in a round that concern the component (all of them for the shop itself)."""
    return [{"id": i["id"], "name": i["name"], "url": i["url"]} for i in record.get("incidents", [])
            if name == "shop" or not i.get("components") or name in i["components"]]


def _add_incidents(window, incidents) -> None:
    window["incidents"] += [i for i in incidents if i["id"] not in {seen["id"] for seen in window["incidents"]}]


def _component(name, rounds, target_pct, until: datetime) -> dict:
    windows, current = [], None
    for record in rounds:
        if _failed(name, record):
            if current is None:
                current = {"start": record["at"], "last_failed": record["at"], "end": "", "checks": 0,
                           "problem": "; ".join(record.get("problems", []))[:300], "incidents": []}
                windows.append(current)
            current["last_failed"], current["checks"] = record["at"], current["checks"] + 1
            _add_incidents(current, _incidents_of(name, record))
        elif current is not None:
            # The first good check still counts: a shop that was down tells of its incident once it answers.
            _add_incidents(current, _incidents_of(name, record))
            current["end"], current = record["at"], None
    first, last = datetime.fromisoformat(rounds[0]["at"]), datetime.fromisoformat(rounds[-1]["at"])
    for window in windows:
        # Still open: down until a good check says otherwise, so it runs to `until` (never to its last failure).
        end = datetime.fromisoformat(window["end"]) if window["end"] else max(until, last)
        window["minutes"] = round((end - datetime.fromisoformat(window["start"])).total_seconds() / 60, 1)
        last = max(last, end)
    measured = max((last - first).total_seconds() / 60, 1.0)
    down = sum(w["minutes"] for w in windows)
    failed = sum(w["checks"] for w in windows)
    budget = measured * (100 - target_pct) / 100
    return {"component": name, "checks": len(rounds), "failed_checks": failed,
            "error_rate_pct": round(100 * failed / len(rounds), 2),
            "uptime_pct": round(100 * (1 - down / measured), 3), "target_pct": target_pct,
            "measured_from": rounds[0]["at"], "measured_to": last.isoformat(),
            "downtime_minutes": round(down, 1), "budget_minutes": round(budget, 1),
            "budget_left_minutes": round(budget - down, 1), "windows": windows}


def report_csv(report: list[dict], month: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["month", "component", "checks", "failed_checks", "error_rate_pct", "uptime_pct", "target_pct",
                     "downtime_minutes", "budget_minutes", "budget_left_minutes", "measured_from", "measured_to"])
    for c in report:
        writer.writerow([month, c["component"], c["checks"], c["failed_checks"], c["error_rate_pct"], c["uptime_pct"],
                         c["target_pct"], c["downtime_minutes"], c["budget_minutes"], c["budget_left_minutes"],
                         c["measured_from"], c["measured_to"]])
    writer.writerow([])
    writer.writerow(["component", "down_from (first failed check)", "last_failed_check", "back_at (first good check)",
                     "minutes", "failed_checks", "problem", "watcher_pages", "shop_incidents"])
    for c in report:
        for w in c["windows"]:
            writer.writerow([c["component"], w["start"], w["last_failed"], w["end"] or "ongoing", w["minutes"],
                             w["checks"], _cell(w["problem"]), _cell(" ".join(page_label(p) for p in w["pages"])),
                             _cell(" ".join(incident_label(i) for i in w["incidents"]))])
    return out.getvalue()


def _cell(text: str) -> str:
    """Problems, names and incident titles come from outside: no cell may start a spreadsheet formula."""
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


def page_label(page) -> str:
    """"page 3f2a9c0d1e2b (down, acknowledged by Anna)": the id is the one in pages.json and in the page itself."""
    acked = f", acknowledged by {page['acked_by']}" if page["acked_by"] else ""
    return f"page {page['id']} ({page['event']}{acked})"


def incident_label(incident) -> str:
    """"#12 Card payments unavailable <https://shop.example/status/incidents/12/>": the shop's status page."""
    return f"#{incident['id']} {incident['name']}" + (f" <{incident['url']}>" if incident["url"] else "")


def _incident_html(incident) -> str:
    text = escape(f"#{incident['id']} {incident['name']}")
    return f'<a href="{escape(incident["url"])}">{text}</a>' if incident["url"] else text


def _time(value: str) -> str:
    return escape(value[:19].replace("T", " "))


def report_html(report: list[dict], month: str, shop_url: str, key: str = "") -> str:
    """The report as a page; with the report key (served over the web) it links its CSV and PDF."""
    rows = "".join(
        f"<tr><td>{escape(c['component'])}</td><td>{c['uptime_pct']}%</td><td>{c['target_pct']}%</td>"
        f"<td>{c['downtime_minutes']}</td><td>{c['budget_minutes']}</td>"
        f"<td class=\"{'bad' if c['budget_left_minutes'] < 0 else ''}\">"
        f"{c['budget_left_minutes']}</td><td>{c['checks']}</td><td>{c['failed_checks']}</td>"
        f"<td>{c['error_rate_pct']}%</td></tr>" for c in report)
    windows = "".join(
        f"<tr><td>{escape(c['component'])}</td><td>{_time(w['start'])}</td><td>{_time(w['last_failed'])}"
        f"</td><td>{_time(w['end']) or 'ongoing'}</td><td>{w['minutes']}</td><td>{w['checks']}</td>"
        f"<td>{escape(w['problem'])}</td><td>{'<br>'.join(escape(page_label(p)) for p in w['pages']) or '—'}</td>"
        f"<td>{'<br>'.join(_incident_html(i) for i in w['incidents']) or '—'}</td></tr>"
        for c in report for w in c["windows"])
    generated = datetime.now(UTC).isoformat()[:19]
    query = escape(urlencode({"key": key, "month": month}))
    downloads = f' <a href="sla.csv?{query}">CSV</a> · <a href="sla.pdf?{query}">PDF</a>' if key else ""
    target = escape(str(report[0]["target_pct"])) + "%" if report else "—"
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>SLA report {month}</title>
<style>body{{font:15px/1.4 system-ui,sans-serif;margin:2rem;color:#1a202c}}table{{border-collapse:collapse;
margin:1rem 0}}td,th{{border:1px solid #cbd5e0;padding:4px 8px;text-align:left}}th{{background:#edf2f7}}
.bad{{color:#c53030;font-weight:600}}</style></head><body>
<h1>Availability report {escape(month)}</h1>
<p>{escape(shop_url)} as seen by steadfast-watch from another host. Contract uptime: {target}. Times in UTC.
Generated {generated}.{downloads}</p>
<table><tr><th>Component</th><th>Uptime</th><th>Contract</th><th>Downtime (min)</th><th>Error budget (min)</th>
<th>Budget left (min)</th><th>Checks</th><th>Failed checks</th><th>Error rate</th></tr>
{rows or '<tr><td colspan="9">No checks recorded.</td></tr>'}</table>
<h2>Downtime windows</h2><table><tr><th>Component</th><th>Down from (first failed check)</th><th>Last failed check
</th><th>Back at</th><th>Minutes</th><th>Failed checks</th><th>Problem seen</th><th>Watcher page</th>
<th>Shop incident</th></tr>
{windows or '<tr><td colspan="9">None.</td></tr>'}</table></body></html>"""
