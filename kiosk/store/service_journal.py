"""`<data>/service/conditions.json`: the out-of-service conditions holding now and the numbered changes.

Written by the shell (kiosk.terminal.service_guard), read by the sync daemon, which sends the changes with its
next heartbeat (sync.service_report). A file rather than a table: a damaged database is one of the conditions.
The daemon writes one condition too (its database failing its check, sync.database_guard): writers take a lock
file, and a change the journal already shows (the other process noticed first) is not recorded twice.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from contract.atomic_write import write_atomic

JOURNAL_FILE = Path("service") / "conditions.json"
LOCK_FILE = Path("service") / "conditions.lock"  # the shell and the sync daemon both write the journal
EVENTS_KEPT = 100  # the heartbeat carries at most this many unacknowledged changes


class ServiceJournal:
    """`<data>/service/conditions.json`: the conditions holding now and the numbered changes that led there.

    Written atomically after each change; sequence numbers continue across restarts (read back from the file),
    so the daemon's "sent up to seq N" stays meaningful. Thread-safe: the shell's workers call it.
    """

    def __init__(self, data_dir: Path, clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)) -> None:
        self.path = Path(data_dir) / JOURNAL_FILE
        self._clock = clock
        self._lock = threading.RLock()  # set_condition holds it around record

    def read(self) -> dict[str, Any]:
        try:
            body = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {"conditions": [], "events": [], "seq": 0}
        return body if isinstance(body, dict) else {"conditions": [], "events": [], "seq": 0}

    def record(self, now_holding: list[dict[str, str]], changes: list[tuple[dict[str, str], str]],
               scope: set[str] | None = None) -> None:
        """Store the conditions holding now and append `changes`: ({"condition", "detail"}, "raised" | "cleared").

        `scope`: the conditions the writer judges; those outside it that the journal lists stay listed (another
        writer's). None: `now_holding` replaces the whole list. A change the journal already shows (raised while
        listed, cleared while not listed) is dropped: another writer recorded it first."""
        with self._lock, self._file_lock():
            body = self.read()
            listed = [c for c in body.get("conditions") or [] if isinstance(c, dict)]
            names = {c.get("condition") for c in listed}
            changes = [(f, change) for f, change in changes
                       if (change == "raised") != (f["condition"] in names)]
            holding = now_holding if scope is None else (
                [c for c in listed if c.get("condition") not in scope] + now_holding)
            if not changes and holding == listed:
                return
            seq = int(body.get("seq") or 0)
            events = list(body.get("events") or [])
            at = self._clock().isoformat(timespec="seconds")
            for finding, change in changes:
                seq += 1
                events.append({"seq": seq, "condition": finding["condition"], "change": change,
                               "detail": finding["detail"][:300], "at": at})
            body = {"conditions": holding, "events": events[-EVENTS_KEPT:], "seq": seq, "written_at": at}
            try:
                write_atomic(self.path, json.dumps(body, ensure_ascii=False).encode())
            except OSError:
                pass  # a full disk may be the very condition: the log line and the screen still tell

    def set_condition(self, condition: str, detail: str, holding: bool) -> bool:
        """One writer's one condition: record it raised (`holding`) or cleared, unless the journal already says
        so. Returns True when a change was recorded."""
        with self._lock:
            before = int(self.read().get("seq") or 0)
            finding = {"condition": condition, "detail": detail[:300]}
            self.record([finding] if holding else [], [(finding, "raised" if holding else "cleared")], {condition})
            return int(self.read().get("seq") or 0) > before

    @contextlib.contextmanager
    def _file_lock(self) -> Iterator[None]:
        """An advisory lock across processes (the shell's and the daemon's read-modify-write of the journal)."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle = open(self.path.parent / LOCK_FILE.name, "a+b")
        except OSError:
            yield  # a full or read-only disk: write unlocked (the write itself may fail the same way)
            return
        with handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
