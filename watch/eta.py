"""What staff tell customers while the shop is dead ("Back by 14:00: the host is replacing a disk"), set at run time
without touching the config: `python -m watch eta "..."` or "/eta ..." to the watcher's Telegram bot from a chat in
the on-call rota. Kept in data_dir/eta.json, read by the lifeboat page on every request (it wins over the config's
static `outage_note`), and cleared by the watcher when the shop is back, so the next outage starts without it.

The file also remembers when it was last cleared: a Telegram message written before that (unread while the watcher
was down, from an earlier outage) sets nothing.
"""

import json
from datetime import UTC, datetime
from pathlib import Path

from watch.store import read_json, write_atomic

MAX_LENGTH = 300


def _path(data_dir) -> Path:
    return Path(data_dir) / "eta.json"


def current(data_dir) -> dict | None:
    """{"text", "set_at", "by"} while a note is set, else None."""
    document = read_json(_path(data_dir)) or {}
    return document if document.get("text") else None


def set_note(data_dir, text: str, by: str, written_at: datetime | None = None) -> dict | None:
    """Set the note (whitespace collapsed, at most MAX_LENGTH characters); None when written_at is before the last
    clearing (a stale message)."""
    now = datetime.now(UTC)
    document = read_json(_path(data_dir)) or {}
    cleared_at = document.get("cleared_at", "")
    if cleared_at and (written_at or now) < datetime.fromisoformat(cleared_at):
        return None
    note = {"text": " ".join(text.split())[:MAX_LENGTH], "set_at": now.isoformat(), "by": by,
            "cleared_at": cleared_at}
    write_atomic(_path(data_dir), json.dumps(note, ensure_ascii=False).encode())
    return note


def clear(data_dir, by: str) -> bool:
    """Remove the note; True if there was one."""
    had = current(data_dir) is not None
    write_atomic(_path(data_dir), json.dumps({"text": "", "cleared_at": datetime.now(UTC).isoformat(),
                                              "cleared_by": by}).encode())
    return had
