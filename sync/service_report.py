"""The out-of-service part of a heartbeat: the conditions holding now and the changes not yet acknowledged.

The shell journals each condition change in `<data>/service/conditions.json` (kiosk.terminal.service_guard);
the daemon sends the changes numbered above the last one the district acknowledged, and moves that mark only
after an acknowledged heartbeat, so a change is never lost to an unreachable district, only sent again.

The mark is kept in a file beside the status file (and, for older readers, in the sync state): a daemon whose
database is corrupt still reports (sync.database_guard), and a database restored from a backup must not make
it send again what the district already has.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from contract.atomic_write import write_atomic
from contract.heartbeat import ServiceEvent
from kiosk.store.outbox import Outbox
from kiosk.store.service_journal import ServiceJournal

SENT_KEY = "service_events_sent"  # sync_state: the highest event seq the district acknowledged
SENT_FILE = Path("sync") / "service_events_sent.json"  # the same mark, readable without the database


class ServiceReport:
    """`outbox`: None while the database cannot be used (the mark file alone then)."""

    def __init__(self, data_dir: Path, outbox: Outbox | None) -> None:
        self._journal = ServiceJournal(data_dir)
        self._outbox = outbox
        self._mark = Path(data_dir) / SENT_FILE

    def pending(self) -> tuple[list[str], list[ServiceEvent]]:
        """(conditions holding now, changes to send) from the shell's journal."""
        body = self._journal.read()
        sent = self._sent()
        conditions = [str(c.get("condition")) for c in body.get("conditions") or [] if isinstance(c, dict)]
        events = []
        for raw in body.get("events") or []:
            try:
                event = ServiceEvent.model_validate(raw)
            except ValueError:
                continue  # a damaged line is skipped, not a reason to stop heartbeats
            if event.seq > sent:
                events.append(event)
        if body.get("seq", 0) < sent:  # the journal was reset (a new data folder): start counting again
            self._store(0)
        return conditions[:16], events[-100:]

    def acknowledged(self, events: list[ServiceEvent]) -> None:
        if events:
            self._store(max(e.seq for e in events))

    def _store(self, seq: int) -> None:
        try:
            write_atomic(self._mark, json.dumps({SENT_KEY: seq}).encode())
        except OSError:
            pass  # a full disk: the sync state (if usable) still has it; at worst a change is sent again
        if self._outbox is not None:
            self._outbox.put_state({SENT_KEY: seq})

    def _sent(self) -> int:
        marks = [0]
        try:
            value: Any = json.loads(self._mark.read_text(encoding="utf-8")).get(SENT_KEY)
            marks.append(value if isinstance(value, int) else 0)
        except (OSError, ValueError, AttributeError):
            pass
        if self._outbox is not None:
            value = self._outbox.state().get(SENT_KEY)
            marks.append(value if isinstance(value, int) else 0)
        return max(marks)
