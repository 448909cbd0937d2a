"""The daily maintenance: at a configured hour, only between sessions, what months of unattended running need.

Tasks, each reported on its own (one failing does not stop the others): WAL checkpoint and VACUUM when enough
of the database is free pages (kiosk.store.upkeep), log rotation with a size cap (kiosk.terminal.log_rotation),
the spool purge, purges of delivered outbox rows, expired dead-letter payloads and old diagnostics runs, a
catalog refresh, and the internal self-test of every device (kiosk.diagnostics), recorded like a technician's.

When: the first moment at or after `hour` (local time) on a day it has not run yet, within a few hours' window
(a kiosk switched on at noon does not VACUUM in front of the lunchtime queue), and only while the terminal is at
its Attract screen; meanwhile a card tap meets the out-of-service screen for a few seconds, never a half-done
maintenance. The day of the last run is kept in `<data>/maintenance/last.json` with its report.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contract.atomic_write import write_atomic
from contract.eventlog import EventLog
from contract.log_events import Event

LAST_RUN_FILE = Path("maintenance") / "last.json"
WINDOW_HOURS = 3  # past hour + WINDOW_HOURS the day's maintenance waits for the next night


@dataclass(frozen=True)
class TaskResult:
    name: str
    ok: bool
    ms: float
    detail: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "ms": round(self.ms, 1), **self.detail}


@dataclass(frozen=True)
class MaintenanceReport:
    day: str
    tasks: list[TaskResult]

    @property
    def ok(self) -> bool:
        return all(t.ok for t in self.tasks)

    def as_json(self) -> dict[str, Any]:
        return {"day": self.day, "ok": self.ok, "tasks": [t.as_json() for t in self.tasks]}


class MaintenanceSchedule:
    """Whether the maintenance is due at a local time, given the day it last ran (kept in the data folder)."""

    def __init__(self, data_dir: Path, hour: int) -> None:
        if not 0 <= hour <= 23:
            raise ValueError(f"[maintenance] hour must be 0-23, got {hour}")
        self._file = Path(data_dir) / LAST_RUN_FILE
        self.hour = hour

    def last_day(self) -> str | None:
        try:
            body = json.loads(self._file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return body.get("day") if isinstance(body, dict) else None

    def due(self, now: dt.datetime) -> bool:
        start = now.replace(hour=self.hour, minute=0, second=0, microsecond=0)
        in_window = start <= now < start + dt.timedelta(hours=WINDOW_HOURS)
        return in_window and self.last_day() != now.date().isoformat()

    def done(self, report: MaintenanceReport) -> None:
        write_atomic(self._file, json.dumps(report.as_json(), ensure_ascii=False).encode())


Task = tuple[str, Callable[[], dict[str, Any]]]


def run_tasks(day: str, tasks: list[Task], log: EventLog) -> MaintenanceReport:
    """Run `tasks` in order, each timed and reported; an exception fails that task only."""
    log.log(Event.MAINTENANCE_INIT, tasks=[name for name, _ in tasks])
    results = []
    for name, task in tasks:
        started = time.perf_counter()
        try:
            detail = task()
            ok = not detail.pop("failed", False)
        except Exception as exc:  # noqa: BLE001 - one failing task must not cancel the others
            detail, ok = {"error": f"{type(exc).__name__}: {exc}"[:300]}, False
        results.append(TaskResult(name, ok, (time.perf_counter() - started) * 1000, detail))
    report = MaintenanceReport(day, results)
    log.log(Event.MAINTENANCE_COMPLETE, outcome="ok" if report.ok else "failed",
            tasks=[t.as_json() for t in results])
    return report


class MaintenanceTimer:
    """Every `poll_s`, asks `attempt()` to run the maintenance if due (it declines while a citizen is there);
    a daemon thread until `stop()`."""

    def __init__(self, attempt: Callable[[], object], poll_s: float, log: EventLog) -> None:
        self._attempt = attempt
        self._poll = max(0.05, poll_s)
        self._log = log
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="maintenance", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=120)  # a VACUUM under way finishes: it is never interrupted

    def _run(self) -> None:
        while not self._stop.wait(self._poll):
            try:
                self._attempt()
            except Exception as exc:  # noqa: BLE001 - the timer outlives any one night's failure
                self._log.log(Event.UNEXPECTED_ERROR, where="maintenance", error=f"{type(exc).__name__}: {exc}"[:300])
