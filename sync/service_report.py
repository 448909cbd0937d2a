"""The out-of-service part of a heartbeat: the conditions holding now and the changes not yet acknowledged.

The shell journals each condition change in `<data>/service/conditions.json` (kiosk.terminal.service_guard);
the daemon sends the changes numbered above the last one the district acknowledged, and moves that mark only
after an acknowledged heartbeat, so a change is never lost to an unreachable district, only sent again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from contract.heartbeat import ServiceEvent
from kiosk.store.outbox import Outbox
from kiosk.store.service_journal import ServiceJournal

SENT_KEY = "service_events_sent"  # sync_state: the highest event seq the district acknowledged


class ServiceReport:
    def __init__(self, data_dir: Path, outbox: Outbox) -> None:
        self._journal = ServiceJournal(data_dir)
        self._outbox = outbox

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
            self._outbox.put_state({SENT_KEY: 0})
        return conditions[:16], events[-100:]

    def acknowledged(self, events: list[ServiceEvent]) -> None:
        if events:
            self._outbox.put_state({SENT_KEY: max(e.seq for e in events)})

    def _sent(self) -> int:
        value: Any = self._outbox.state().get(SENT_KEY)
        return int(value) if isinstance(value, int) else 0
