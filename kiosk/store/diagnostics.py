"""The record of health checks: every run of every level, kept 90 days, the latest of each sent with heartbeats.

"Latest" is chosen by row id, never by the recorded time: a kiosk clock can jump (VxSuite does the same). The
retention is by the recorded wall-clock time, the only clock a purge 90 days later can use.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from kiosk.store.models import DiagnosticsRunRow

RETENTION_DAYS = 90
LEVELS = ("internal", "external", "interactive")
HEALTHS = ("pass", "warn", "fail")


@dataclass(frozen=True)
class CheckRecord:
    """One recorded run, as history and the report show it."""

    id: int
    device: str
    level: str
    health: str
    status_id: str
    text: str
    ms: float
    software_version: str
    recorded_at: str
    detail: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "device": self.device, "level": self.level, "health": self.health,
                "status_id": self.status_id, "text": self.text, "ms": self.ms,
                "software_version": self.software_version, "recorded_at": self.recorded_at, "detail": self.detail}


def _record(row: DiagnosticsRunRow) -> CheckRecord:
    return CheckRecord(row.id, row.device, row.level, row.health, row.status_id, row.text, row.ms,
                       row.software_version, row.recorded_at, dict(row.detail or {}))


class DiagnosticsRecords:
    def __init__(self, engine: Engine, retention_days: int = RETENTION_DAYS) -> None:
        self._engine = engine
        self._retention = dt.timedelta(days=retention_days)

    def record(self, device: str, level: str, health: str, status_id: str, text: str, ms: float,
               software_version: str, detail: dict[str, Any] | None = None,
               now: dt.datetime | None = None) -> int:
        """Store one run (and drop the runs past the retention period); returns its id. ValueError on a level
        or health outside the closed sets."""
        if level not in LEVELS:
            raise ValueError(f"level must be one of {', '.join(LEVELS)}, got {level!r}")
        if health not in HEALTHS:
            raise ValueError(f"health must be one of {', '.join(HEALTHS)}, got {health!r}")
        now = now or dt.datetime.now(dt.UTC)
        row = DiagnosticsRunRow(device=device[:32], level=level, health=health, status_id=status_id[:48],
                                text=text[:2000], ms=round(float(ms), 1), software_version=software_version[:64],
                                recorded_at=now.isoformat(timespec="seconds"), detail=detail or {})
        with Session(self._engine) as s, s.begin():
            s.add(row)
            s.flush()
            row_id = row.id
        self.purge(now)
        return row_id

    def purge(self, now: dt.datetime | None = None) -> int:
        """Delete runs recorded before now - retention; returns how many."""
        cutoff = ((now or dt.datetime.now(dt.UTC)) - self._retention).isoformat(timespec="seconds")
        with Session(self._engine) as s, s.begin():
            return s.execute(delete(DiagnosticsRunRow).where(DiagnosticsRunRow.recorded_at < cutoff)).rowcount or 0

    def history(self, device: str | None = None, limit: int = 200) -> list[CheckRecord]:
        """The most recent runs first (by id)."""
        query = select(DiagnosticsRunRow).order_by(DiagnosticsRunRow.id.desc()).limit(limit)
        if device:
            query = query.where(DiagnosticsRunRow.device == device)
        with Session(self._engine) as s:
            return [_record(row) for row in s.scalars(query)]

    def latest(self) -> dict[str, dict[str, CheckRecord]]:
        """device -> level -> its latest run (highest id)."""
        newest = (select(func.max(DiagnosticsRunRow.id))
                  .group_by(DiagnosticsRunRow.device, DiagnosticsRunRow.level).scalar_subquery())
        with Session(self._engine) as s:
            rows = s.scalars(select(DiagnosticsRunRow).where(DiagnosticsRunRow.id.in_(newest))).all()
        result: dict[str, dict[str, CheckRecord]] = {}
        for row in rows:
            result.setdefault(row.device, {})[row.level] = _record(row)
        return result


def heartbeat_devices(engine: Engine, shell_states: dict[str, Any]) -> dict[str, Any]:
    """The heartbeat's `devices`: the shell's live states plus, under "checks", each device's latest run of each
    level (health, status id, time, text). A database problem leaves the checks out rather than the heartbeat."""
    try:
        latest = DiagnosticsRecords(engine).latest()
    except SQLAlchemyError:
        return dict(shell_states)
    checks = {device: {level: {"health": r.health, "status_id": r.status_id, "at": r.recorded_at,
                               "text": r.text[:200]} for level, r in levels.items()}
              for device, levels in latest.items()}
    return {**shell_states, "checks": checks} if checks else dict(shell_states)
