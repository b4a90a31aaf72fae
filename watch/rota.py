"""Who is on call at a moment, from the rota document the shop exports (GET /api/v1/lifeboat/oncall). Standard
library only: the watcher follows it while the shop is dead, and the shop's admin uses the same functions for its
coverage view (and its own alert paging), so both read the rota the same way.

    {"time_zone": "Europe/Warsaw",
     "people": [{"id", "name", "phone", "telegram_chat_id", "email", "time_zone": "America/New_York",
                 "quiet": ["22:00", "07:00"] | null}, ...],
     "shifts": [{"person": id, "weekdays": "01234", "starts": "08:00", "ends": "20:00"}, ...],
     "overrides": [{"person": id, "starts_at": ISO, "ends_at": ISO}, ...]}

A person's shifts and quiet hours are read in the person's own time zone; documents from shops before per-person
zones have none, and then the document's `time_zone` (the shop's) applies.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def on_call(rota: dict, at: datetime) -> list[dict]:
    """Everyone in page order: overrides covering `at`, then weekly shifts covering it, then the others."""
    people = {p["id"]: p for p in rota.get("people", [])}
    first = [o["person"] for o in rota.get("overrides", [])
             if datetime.fromisoformat(o["starts_at"]) <= at < datetime.fromisoformat(o["ends_at"])]
    first += [s["person"] for s in rota.get("shifts", []) if _covers(s, _local(rota, people.get(s["person"]), at))]
    order = list(dict.fromkeys(pid for pid in first if pid in people))
    order += [pid for pid in people if pid not in order]
    return [people[pid] for pid in order]


def quiet(rota: dict, person: dict, at: datetime) -> bool:
    """True in the person's quiet hours (no non-critical alerts then)."""
    if not person.get("quiet"):
        return False
    window = {"weekdays": "0123456", "starts": person["quiet"][0], "ends": person["quiet"][1]}
    return _covers(window, _local(rota, person, at))


def covered(rota: dict, at: datetime) -> bool:
    if any(datetime.fromisoformat(o["starts_at"]) <= at < datetime.fromisoformat(o["ends_at"])
           for o in rota.get("overrides", [])):
        return True
    people = {p["id"]: p for p in rota.get("people", [])}
    return any(_covers(s, _local(rota, people.get(s["person"]), at)) for s in rota.get("shifts", []))


def gaps(rota: dict, start: datetime, days: int = 7, step_minutes: int = 15) -> list[tuple[datetime, datetime]]:
    """Windows in [start, start + days) when nobody is on call, to the step (the coverage view's 24x7 check)."""
    windows, opened, at, end = [], None, start, start + timedelta(days=days)
    while at < end:
        if not covered(rota, at):
            opened = opened or at
        elif opened:
            windows.append((opened, at))
            opened = None
        at += timedelta(minutes=step_minutes)
    if opened:
        windows.append((opened, end))
    return windows


def _local(rota: dict, person: dict | None, at: datetime) -> datetime:
    """`at` on the person's clock (their zone, else the document's, else UTC)."""
    for name in ((person or {}).get("time_zone"), rota.get("time_zone")):
        if name:
            try:
                return at.astimezone(ZoneInfo(name))
            except (ZoneInfoNotFoundError, ValueError):
                continue  # a zone this machine's tz database lacks: the next one rather than no rota at all
    return at.astimezone(ZoneInfo("UTC"))


def _covers(shift: dict, local: datetime) -> bool:
    starts, ends = time.fromisoformat(shift["starts"]), time.fromisoformat(shift["ends"])
    now, today = local.time().replace(tzinfo=None), str(local.weekday())
    yesterday = str((local.weekday() - 1) % 7)
    if starts < ends:
        return today in shift["weekdays"] and starts <= now < ends
    # Past midnight: the evening part belongs to the day it starts on, the morning part to the day before.
    return (today in shift["weekdays"] and now >= starts) or (yesterday in shift["weekdays"] and now < ends)
