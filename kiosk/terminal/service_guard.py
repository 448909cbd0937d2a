"""Measuring the out-of-service conditions, noticing when one begins or ends, and telling the district.

The guard runs the checks of kiosk.terminal.out_of_service against the live terminal (free space, devices,
catalog, clock, revocation). Each change is logged and appended to `<data>/service/conditions.json`, which the
sync daemon reads and sends with its next heartbeat (sync.service_report), so the district learns of a pulled
reader or a full disk within one heartbeat, and of its end too. The terminal serves again by itself as soon as
no condition holds: nobody has to restart anything.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from contract.eventlog import EventLog
from contract.log_events import Event
from kiosk.store.service_journal import ServiceJournal
from kiosk.terminal.out_of_service import (
    CLOCK_FLOOR,
    Condition,
    Finding,
    catalog_finding,
    clock_finding,
    device_findings,
    disk_finding,
    headline,
    revoked_finding,
)

# What the live checks judge; the start-up conditions (configuration, database) are judged before a terminal
# exists (kiosk.ui.shell_host) and cleared there.
LIVE_CONDITIONS = {Condition.REVOKED, Condition.DISK_FULL, Condition.CATALOG_UNUSABLE, Condition.CLOCK_WRONG,
                   Condition.DEVICE_MISSING}


def free_bytes(folder: Path) -> int:
    """Bytes an unprivileged writer may still use on `folder`'s filesystem (f_bavail, as df shows)."""
    st = os.statvfs(folder)
    return st.f_bavail * st.f_frsize


class ConditionTracker:
    """Compares each set of findings with the previous one; logs and journals what began and what ended."""

    def __init__(self, journal: ServiceJournal, log: EventLog, scope: set[Condition]) -> None:
        """`scope`: the conditions this tracker judges. Those the journal says held when the process last ran
        are taken as holding, so that their end is noticed (and sent) once the first checks find them gone."""
        self._journal = journal
        self._log = log
        self._lock = threading.Lock()
        self.scope = set(scope)
        self._holding: dict[Condition, Finding] = {}
        for raw in journal.read().get("conditions") or []:
            try:
                condition = Condition(raw.get("condition"))
            except (AttributeError, ValueError):
                continue
            if condition in self.scope:
                self._holding[condition] = Finding(condition, str(raw.get("detail") or ""))

    @property
    def findings(self) -> list[Finding]:
        with self._lock:
            return list(self._holding.values())

    def update(self, findings: list[Finding], scope: set[Condition] | None = None) -> list[Finding]:
        """Apply `findings` as the truth about `scope` (default: the tracker's); returns all holding now."""
        scope = self.scope if scope is None else scope
        new: dict[Condition, Finding] = {}
        for f in findings:  # several findings of one condition (two devices gone) are one condition
            if f.condition in new:
                new[f.condition] = Finding(f.condition, f"{new[f.condition].detail}; {f.detail}")
            else:
                new[f.condition] = f
        with self._lock:
            changes: list[tuple[Finding, str]] = []
            for condition, finding in new.items():
                if condition not in self._holding:
                    changes.append((finding, "raised"))
            for condition, finding in list(self._holding.items()):
                if condition in scope and condition not in new:
                    changes.append((finding, "cleared"))
                    del self._holding[condition]
            self._holding.update(new)
            holding = list(self._holding.values())
        for finding, change in changes:
            event = Event.SERVICE_CONDITION_RAISED if change == "raised" else Event.SERVICE_CONDITION_CLEARED
            self._log.log(event, condition=finding.condition.value, detail=finding.detail[:300])
        if changes:  # the conditions other writers judge (the sync daemon's database check) stay listed
            judged = {c.value for c in self.scope | scope} | {f.condition.value for f in holding}
            self._journal.record([f.as_json() for f in holding], [(f.as_json(), change) for f, change in changes],
                                 judged)
        return holding


class ServiceGuard:
    """The live terminal's checks. `evaluate()` runs them all (off the GUI thread: a CUPS printer's status is a
    request); `refuse_start()` is what a Start meets: a fresh look at the disk (free space can go in seconds)
    and the conditions found at the last evaluation."""

    def __init__(self, data_dir: Path, log: EventLog, reserve_bytes: int, max_clock_skew_s: float,
                 reader_state: Callable[[], str | None], printer_state: Callable[[], str | None],
                 catalog_items: Callable[[], int | None],
                 wall_clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
                 free: Callable[[Path], int] = free_bytes, clock_floor: dt.datetime = CLOCK_FLOOR) -> None:
        self._data = Path(data_dir)
        self._reserve = reserve_bytes
        self._max_skew = max_clock_skew_s
        self._reader_state = reader_state
        self._printer_state = printer_state
        self._catalog_items = catalog_items
        self._wall_clock = wall_clock
        self._free = free
        self._floor = clock_floor
        self.tracker = ConditionTracker(ServiceJournal(self._data, wall_clock), log, LIVE_CONDITIONS)

    @property
    def findings(self) -> list[Finding]:
        return self.tracker.findings

    def disk(self) -> Finding | None:
        try:
            return disk_finding(self._free(self._data), self._reserve)
        except OSError as exc:
            return Finding(Condition.DISK_FULL, f"the data folder cannot be measured: {exc.strerror or exc}")

    def evaluate(self, sync_status: dict[str, Any]) -> list[Finding]:
        """Run every check; returns the findings holding now (also kept in `findings`)."""
        found: list[Finding] = []
        for finding in (revoked_finding(sync_status), self.disk(), self._catalog(),
                        self._clock(sync_status.get("clock_skew_s"))):
            if finding is not None:
                found.append(finding)
        found.extend(device_findings(self._reader_state(), self._printer_state()))
        return self.tracker.update(found)

    def refuse_start(self) -> Finding | None:
        """The condition that refuses a new session now, or None. The disk is measured again here."""
        disk = self.disk()
        self.tracker.update([disk] if disk is not None else [], scope={Condition.DISK_FULL})
        return headline(self.findings)

    def database(self, finding: Finding | None) -> None:
        """The running shell's database check (kiosk.terminal.database_watch): a corrupt file, or sound again."""
        self.tracker.update([finding] if finding is not None else [], scope={Condition.DATABASE_CORRUPT})

    def _catalog(self) -> Finding | None:
        try:
            count = self._catalog_items()
        except Exception as exc:  # noqa: BLE001 - whatever makes the menu unbuildable makes it unusable
            return catalog_finding(None, f"{type(exc).__name__}: {exc}")
        return catalog_finding(count)

    def _clock(self, skew: Any) -> Finding | None:
        return clock_finding(self._wall_clock(), float(skew) if isinstance(skew, (int, float)) else None,
                             self._max_skew, self._floor)
