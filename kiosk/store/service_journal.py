"""`<data>/service/conditions.json`: the out-of-service conditions holding now and the numbered changes.

Written by the shell (kiosk.terminal.service_guard), read by the sync daemon, which sends the changes with its
next heartbeat (sync.service_report). A file rather than a table: a damaged database is one of the conditions.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from contract.atomic_write import write_atomic

JOURNAL_FILE = Path("service") / "conditions.json"
EVENTS_KEPT = 100  # the heartbeat carries at most this many unacknowledged changes


class ServiceJournal:
    """`<data>/service/conditions.json`: the conditions holding now and the numbered changes that led there.

    Written atomically after each change; sequence numbers continue across restarts (read back from the file),
    so the daemon's "sent up to seq N" stays meaningful. Thread-safe: the shell's workers call it.
    """

    def __init__(self, data_dir: Path, clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)) -> None:
        self.path = Path(data_dir) / JOURNAL_FILE
        self._clock = clock
        self._lock = threading.Lock()

    def read(self) -> dict[str, Any]:
        try:
            body = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {"conditions": [], "events": [], "seq": 0}
        return body if isinstance(body, dict) else {"conditions": [], "events": [], "seq": 0}

    def record(self, now_holding: list[dict[str, str]], changes: list[tuple[dict[str, str], str]]) -> None:
        """Store the conditions holding now and append `changes`: ({"condition", "detail"}, "raised" | "cleared")."""
        with self._lock:
            body = self.read()
            seq = int(body.get("seq") or 0)
            events = list(body.get("events") or [])
            at = self._clock().isoformat(timespec="seconds")
            for finding, change in changes:
                seq += 1
                events.append({"seq": seq, "condition": finding["condition"], "change": change,
                               "detail": finding["detail"][:300], "at": at})
            body = {"conditions": now_holding, "events": events[-EVENTS_KEPT:], "seq": seq, "written_at": at}
            try:
                write_atomic(self.path, json.dumps(body, ensure_ascii=False).encode())
            except OSError:
                pass  # a full disk may be the very condition: the log line and the screen still tell
