"""The running shell's look at its own database file: a file that goes bad under it puts it out of service.

The start-up check (kiosk.assembly) sees a file damaged before the shell started. A file that goes bad later
(a failing card, a write torn by power loss) is invisible to the shell's own connections: they answer from their
page cache until they happen to need the bad page, possibly half-way through a citizen's transaction. So every
`service.database_check_s`, between sessions only, SQLite's quick check runs on a connection of its own. The sync
daemon does the same (sync.database_guard), but the shell must not depend on the daemon running, so it looks for
itself rather than reading the daemon's verdict. While the check fails, no new session starts and the
out-of-service screen shows. Once the file passes again (repaired, or a good copy put back) the store's engine is
disposed before the shell serves again: a restored file is a new file behind the same path, and the pooled
connections still hold the old one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine

from contract.durable_sqlite import open_engine, sqlite_url
from contract.eventlog import EventLog
from contract.log_events import Event
from kiosk.errors import DatabaseCorrupt
from kiosk.store.database import check_integrity, migrate
from kiosk.terminal.out_of_service import Condition, Finding


def look_at(path: Path) -> Finding | None:
    """SQLite's quick check of `path` on a connection of its own: the finding, or None when the file is sound.

    A missing file is a finding too: opening it would create an empty database and hide the loss."""
    if not path.exists():
        return Finding(Condition.DATABASE_CORRUPT, f"{path}: the database file is missing")
    engine = open_engine(sqlite_url(path))
    try:
        check_integrity(engine, path)
    except DatabaseCorrupt as exc:
        return Finding(Condition.DATABASE_CORRUPT, exc.detail)
    finally:
        engine.dispose()
    return None


class DatabaseWatch:
    """Checks the store's file every `interval_s` on a daemon thread while `between_sessions()` holds, and calls
    `on_change(finding)` when the file goes bad (a Finding) or is sound again (None, after the store's engine
    has been disposed and the schema brought to head)."""

    def __init__(self, engine: Engine, interval_s: float, between_sessions: Callable[[], bool],
                 on_change: Callable[[Finding | None], None], log: EventLog) -> None:
        self._engine = engine
        database = engine.url.database
        self.path = Path(database) if database and database != ":memory:" else None  # None: no file to watch
        self._interval = max(0.05, interval_s)
        self._between_sessions = between_sessions
        self._on_change = on_change
        self._log = log
        self.finding: Finding | None = None
        self.last_check_ms: float | None = None  # what the last quick check cost (the bench reports it)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="database-watch", daemon=True)

    def start(self) -> None:
        if self.path is not None:
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def check(self) -> Finding | None:
        """One look at the file; on a change, tell `on_change`. Returns the finding holding now."""
        if self.path is None:
            return None
        started = time.perf_counter()
        finding = look_at(self.path)
        self.last_check_ms = (time.perf_counter() - started) * 1000
        if finding is None and self.finding is not None:
            self._engine.dispose()  # the next connection opens the file as it is now, not the inode it replaced
            try:
                migrate(self._engine)  # a good copy from an older backup may predate a migration
            except Exception as exc:  # noqa: BLE001 - a file that cannot be brought to head cannot serve either
                finding = Finding(Condition.DATABASE_CORRUPT, f"the restored database cannot be migrated: "
                                                              f"{type(exc).__name__}: {exc}"[:300])
        if (finding is None) == (self.finding is None):
            return self.finding
        self.finding = finding
        if finding is not None:
            self._log.log(Event.DB_CORRUPT, path=str(self.path), detail=finding.detail[:300], during="run")
        self._on_change(finding)
        return finding

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            if not self._between_sessions():
                continue  # a citizen is here: their transaction finishes (or fails cleanly) before we look
            try:
                self.check()
            except Exception as exc:  # noqa: BLE001 - the watch must outlive anything unexpected
                self._log.log(Event.UNEXPECTED_ERROR, where="database-watch",
                              error=f"{type(exc).__name__}: {exc}"[:300])
