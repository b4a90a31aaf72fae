"""A queue of messages waiting for a channel, kept in one JSON file on the watcher's disk (staff alerts, public posts).

Every change replaces the file atomically (watch/store.py), so a new watcher on the same data_dir picks up exactly
what the last one still owed. An item is removed only after its channel took it and the caller recorded that: a crash
in the instant between the channel's answer and that record can repeat one message; none is lost. Items are plain
JSON dicts the caller builds: they must hold no secret (channels are named, URLs fingerprinted: channels.url_ref).
"""

import json
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from watch import channels
from watch.store import read_json, write_atomic

log = logging.getLogger("watch.queue")


class DurableQueue:
    def __init__(self, path: Path, keep: Callable[[dict], bool], what: str):
        """Load what a previous run left; an item `keep` refuses (its channel is gone, it was done) is dropped."""
        self.path, self.what = path, what
        self._lock = threading.Lock()  # the web thread and the check loop may both add
        self._delivering = threading.Lock()  # one delivery pass at a time (two would send the same item twice)
        left = read_json(path) or []
        self._items: list[dict] = [item for item in left if keep(item)]
        if left:
            log.info("%d %s(s) queued before the restart will be retried; %d dropped (channel no longer configured "
                     "or already done)", len(self._items), what, len(left) - len(self._items))
            if len(self._items) != len(left):
                self._save()

    @property
    def items(self) -> list[dict]:
        with self._lock:
            return list(self._items)

    def add(self, items: list[dict]) -> None:
        if not items:
            return
        with self._lock:
            self._items.extend(items)
            self._save()

    def drop(self, unwanted: Callable[[dict], bool]) -> list[dict]:
        """Remove (and return) the queued items `unwanted` picks, e.g. ones a newer message made pointless."""
        with self._lock:
            dropped = [item for item in self._items if unwanted(item)]
            if dropped:
                self._items = [item for item in self._items if not unwanted(item)]
                self._save()
            return dropped

    def deliver(self, send: Callable[[dict], None], sent: Callable[[dict], None],
                failed: Callable[[dict, Exception], None], budget: float | None = None) -> None:
        """Offer every queued item to `send` once. One it failed (channels.SEND_ERRORS) stays queued, on disk too,
        unless the address refused it for good (channels.Refused: dropped after `failed`); one it took is recorded by
        `sent` first, then removed (so a crash between them leaves a trace, not a gap). With `budget` (seconds) no
        send starts after that long: hanging channels must not hold the next check round (the rest go next time)."""
        started = time.monotonic()
        with self._delivering:
            for item in self.items:
                if budget is not None and time.monotonic() - started >= budget:
                    break
                try:
                    send(item)
                except channels.SEND_ERRORS as error:
                    failed(item, error)
                    if isinstance(error, channels.Refused):
                        self._remove(item)
                    continue
                sent(item)
                self._remove(item)

    def _remove(self, item: dict) -> None:
        with self._lock:
            self._items = [queued for queued in self._items if queued is not item]
            self._save()

    def _save(self) -> None:
        write_atomic(self.path, json.dumps(self._items, ensure_ascii=False).encode())
