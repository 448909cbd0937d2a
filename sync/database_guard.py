"""The sync daemon around its database: a kiosk whose database is corrupt still tells its district so.

A corrupt kiosk database puts the shell out of service (kiosk.ui.shell_host). The daemon must not sync from it,
yet an operator must see the condition on the fleet within a heartbeat, not only after a repair. The kiosk key
and the enrollment live in `<data>/district`, beside the database and not inside it, so while the database
cannot be opened or fails SQLite's quick check the daemon keeps sending signed heartbeats that carry the
condition (`database-corrupt` among the conditions holding, and its change in the shell's service journal) and
nothing else: no transaction is read from the file, which is left as it is for a technician. It looks at the
file again every `service.check_interval_s`; once it passes (repaired or restored from a backup) the ordinary
daemon (sync.daemon) runs again on a freshly opened engine, since a restored file is a new file.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from contract.durable_sqlite import open_engine, sqlite_url
from contract.eventlog import EventLog
from contract.heartbeat import Heartbeat
from contract.log_events import Event
from contract.request_signing import RequestSigner
from kiosk.config import Config
from kiosk.errors import DatabaseCorrupt, DistrictUnavailable
from kiosk.link.enrollment import EnrollmentRefused, current_enrollment, enroll
from kiosk.link.kiosk_key import load_key
from kiosk.store.database import check_integrity, migrate
from kiosk.store.service_journal import ServiceJournal
from sync.daemon import SyncDaemon, _software_version
from sync.link import DistrictLink, Refused, Unreachable
from sync.service_report import ServiceReport
from sync.uptime import host_uptime_s

# kiosk.terminal.out_of_service.Condition.DATABASE_CORRUPT (the daemon does not import the terminal's package)
DATABASE_CORRUPT = "database-corrupt"
DATABASE_FILE = "kiosk.db"
DATABASE_CHECK_S = 300.0  # the quick check reads every page: measured ~65 ms for a 27 MiB kiosk database


def open_checked(db_path: Path) -> Engine:
    """An engine on `db_path` once it passes SQLite's quick check; raises DatabaseCorrupt otherwise (also when
    it cannot be opened at all). A missing file is a new, empty database, as at a first start."""
    engine = open_engine(sqlite_url(db_path))
    try:
        check_integrity(engine, db_path)
    except DatabaseCorrupt:
        engine.dispose()
        raise
    return engine


class CorruptDatabaseReporter:
    """The daemon while the database fails its check: heartbeats with the condition, a look at the file on a timer.

    `transport`, `clock`: as SyncDaemon's (tests)."""

    def __init__(self, config: Config, log: EventLog, token: str | None = None, transport: Any = None,
                 clock: Callable[[], float] = time.time) -> None:
        self._config = config
        self._data = Path(config.data_dir)
        self._log = log
        self.token = token
        self._transport = transport
        self._clock = clock
        self._link: DistrictLink | None = None
        self._journal = ServiceJournal(self._data)
        self._report = ServiceReport(self._data, None)

    def run(self, error: DatabaseCorrupt, reopen: Callable[[], Engine], stop: threading.Event,
            alive: Callable[[], None] = lambda: None, max_sleep_s: float = 1.0) -> Engine | None:
        """Report `error` until `reopen()` gives a sound engine (returned) or `stop` is set (None)."""
        self._log.log(Event.DB_CORRUPT, path=str(self._data / DATABASE_FILE), detail=error.detail[:300])
        if self._journal.set_condition(DATABASE_CORRUPT, error.detail, holding=True):
            self._log.log(Event.SERVICE_CONDITION_RAISED, condition=DATABASE_CORRUPT, detail=error.detail[:300])
        mono = time.monotonic
        next_heartbeat = next_check = mono()
        try:
            while not stop.is_set():
                alive()
                if mono() >= next_check:
                    next_check = mono() + self._config.service.check_interval_s
                    try:
                        engine = reopen()
                    except DatabaseCorrupt:
                        pass  # still corrupt: logged once above, not at every look
                    else:
                        if self._journal.set_condition(DATABASE_CORRUPT, "the database passes its check again",
                                                       holding=False):
                            self._log.log(Event.SERVICE_CONDITION_CLEARED, condition=DATABASE_CORRUPT,
                                          detail="the database passes its check again")
                        return engine
                if mono() >= next_heartbeat:
                    try:
                        self.heartbeat()
                    except Exception as exc:  # noqa: BLE001 - the report must outlive anything unexpected
                        self._log.log(Event.UNEXPECTED_ERROR, where="corrupt-database heartbeat",
                                      error=f"{type(exc).__name__}: {exc}"[:300])
                    next_heartbeat = mono() + self._config.sync.heartbeat_s
                wake = min(next_heartbeat, next_check)
                stop.wait(min(max_sleep_s, max(0.0, wake - mono())))
            return None
        finally:
            if self._link is not None:
                self._link.close()
                self._link = None

    def heartbeat(self) -> bool:
        """One heartbeat carrying the conditions holding now (the corrupt database among them) and the changes
        not yet acknowledged; the figures only the database knows (backlog, catalog version) are left out.
        True when the district acknowledged it."""
        link = self._link_or_none()
        if link is None:
            return False
        conditions, events = self._report.pending()
        if DATABASE_CORRUPT not in conditions:  # the journal may be unwritable (a full disk): still say it
            conditions = [DATABASE_CORRUPT, *conditions][:16]
        beat = Heartbeat(software_version=_software_version(), out_of_service=conditions, service_events=events,
                         host_uptime_s=host_uptime_s())
        try:
            link.post("/api/v1/heartbeat", beat.model_dump(mode="json", exclude_unset=True))
        except Refused as exc:
            self._log.log(Event.HEARTBEAT_REFUSED, status=exc.status, reason=exc.reason[:200], code=exc.code)
            return False
        except Unreachable:
            return False
        self._report.acknowledged(events)
        self._log.log(Event.HEARTBEAT_SENT, backlog=None)
        return True

    def _link_or_none(self) -> DistrictLink | None:
        """The signed link from the enrollment and kiosk key files (enrolling first if this kiosk never did)."""
        if self._link is not None:
            return self._link
        terminal = self._config.terminal
        try:
            enrollment = current_enrollment(self._data)
            if enrollment is None or enrollment.kiosk_id != terminal.kiosk_id:
                enroll(self._data, terminal.district_url, terminal.kiosk_id, self.token,
                       timeout_s=self._config.sync.request_timeout_s, transport=self._transport,
                       ca_file=terminal.district_ca)
                self.token = None  # used up
                self._log.log(Event.ENROLLED, kiosk=terminal.kiosk_id, district=terminal.district_url)
            signer = RequestSigner(terminal.kiosk_id, load_key(self._data), clock=self._clock)
        except (EnrollmentRefused, DistrictUnavailable):  # also KioskKeyLost: the ordinary daemon records it
            return None
        self._link = DistrictLink(terminal.district_url, signer, self._config.sync.request_timeout_s,
                                  transport=self._transport, clock=self._clock, ca_file=terminal.district_ca)
        return self._link


def run_guarded(config: Config, log: EventLog, stop: threading.Event, alive: Callable[[], None] = lambda: None,
                max_sleep_s: float = 1.0, token: str | None = None, transport: Any = None,
                database_check_s: float = DATABASE_CHECK_S) -> bool:
    """The daemon's life until `stop`: the ordinary sync loop on a sound database, the corrupt-database report
    otherwise, and back by itself when the file is repaired. While syncing, the file is checked again every
    `database_check_s`: a page going bad under a running daemon is not seen through its connections' cache.
    True when it stopped with the database corrupt."""
    db_path = Path(config.data_dir) / DATABASE_FILE
    while not stop.is_set():
        try:
            engine = open_checked(db_path)
        except DatabaseCorrupt as exc:
            reporter = CorruptDatabaseReporter(config, log, token=token, transport=transport)
            sound = reporter.run(exc, lambda: open_checked(db_path), stop, alive, max_sleep_s)
            token = reporter.token
            if sound is None:
                return True
            engine = sound
        try:
            migrate(engine)
            leave = threading.Event()  # set on `stop`, or when the file fails its check: the loop ends either way
            watch = _SoundnessWatch(db_path, stop, leave, alive, database_check_s)
            SyncDaemon(config, engine, log, token=token, transport=transport).run(leave, watch, max_sleep_s)
        finally:
            engine.dispose()
    return False


class _SoundnessWatch:
    """The sync loop's keep-alive, which also looks at the database file every `every_s`."""

    def __init__(self, db_path: Path, stop: threading.Event, leave: threading.Event,
                 alive: Callable[[], None], every_s: float) -> None:
        self._path = db_path
        self._stop = stop
        self._leave = leave
        self._alive = alive
        self._every = every_s
        self._next = time.monotonic() + every_s

    def __call__(self) -> None:
        self._alive()
        if self._stop.is_set():
            self._leave.set()
        elif time.monotonic() >= self._next:
            self._next = time.monotonic() + self._every
            if not self._path.exists():
                return  # opening it would create an empty one; the loop's open file still holds the backlog
            try:  # on a connection of its own: the loop's connections would answer from their page cache
                open_checked(self._path).dispose()
            except DatabaseCorrupt:
                self._leave.set()  # the guard takes over: it logs and reports the condition
