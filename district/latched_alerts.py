"""Alerts someone must acknowledge: raised from what a kiosk reports, kept until an operator acknowledges them.

The fleet's other alerts (district.console.fleet.alerts_for) are derived from the latest heartbeat and clear
themselves: a late heartbeat, a printer out of paper, a backlog are shown while they hold, because the state
itself is the whole story. A latched alert is for an occurrence whose consequences outlive the condition, so a
person must look even when the kiosk reports fine again. From what the district receives (contract.heartbeat):

- `pin-lockout`: the technicians' PIN was refused often enough to lock the mode (a `pin-rejected` event with a
  wait, kiosk.technician_pin.LockoutPolicy). Someone guessed at a terminal in a public hall; the lockout ends by
  itself, the question of who it was does not.
- `service-condition` for `database-corrupt` and `config-unsafe` (the heartbeat's `service_events`, raised):
  the terminal stopped serving because its database failed an integrity check or its configuration was unsafe.
  Even when it recovers (a restored copy, a corrected file), data may be lost or the terminal was tampered with.
  The other conditions (disk full, clock wrong, device missing, catalog unusable, maintenance) are states that
  return to normal with nothing left to check: they show as self-clearing alerts.
- `dead-letters`: the kiosk reports more rejected transactions than before. Each is a citizen's transaction the
  district refused: it never arrives by itself, someone must read why.
- `catalog-halted`: this kiosk refused a staged catalog and the stage was halted (district.catalog_rollout):
  the rollout waits for a person's decision (promote, roll back, publish a fix).
- `software-rolled-back`: the installer rolled a software update back after its health gate failed
  (the heartbeat's `software_refused`); the kiosk runs the old version and refuses that one until someone acts.

Each occurrence has a key (the kiosk's event time or sequence, the count, the version), unique per kiosk: a
heartbeat repeating what it reported before raises nothing new (INSERT ... ON CONFLICT DO NOTHING). The heartbeat
path pays for this only when its body holds a candidate; a healthy kiosk's heartbeat costs no query.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select, text, update
from sqlalchemy.orm import Session

from contract.heartbeat import Heartbeat
from district.models import LatchedAlertRow

PIN_LOCKOUT = "pin-lockout"
SERVICE_CONDITION = "service-condition"
DEAD_LETTERS = "dead-letters"
CATALOG_HALTED = "catalog-halted"
SOFTWARE_ROLLED_BACK = "software-rolled-back"
KINDS = (PIN_LOCKOUT, SERVICE_CONDITION, DEAD_LETTERS, CATALOG_HALTED, SOFTWARE_ROLLED_BACK)
# kiosk.terminal.out_of_service.Condition values whose raising is latched (see the module's docstring)
LATCHED_CONDITIONS = frozenset({"database-corrupt", "config-unsafe"})


class AlertNotFound(LookupError):
    pass


class AlreadyAcknowledged(Exception):
    def __init__(self, acknowledged_by: str, acknowledged_at: float) -> None:
        super().__init__(f"already acknowledged by {acknowledged_by}")
        self.acknowledged_by = acknowledged_by
        self.acknowledged_at = acknowledged_at


@dataclass(frozen=True)
class Occurrence:
    """One latched alert to raise: `key` identifies the occurrence among the kiosk's alerts."""

    key: str
    kind: str
    params: dict[str, Any]


def occurrences(beat: Heartbeat, halted_version: int | None = None) -> list[Occurrence]:
    """The latched alerts a heartbeat reports (pure: no database). `halted_version`: the staged catalog version
    this heartbeat's refusal halted (district.catalog_rollout.halt_on_refusal), if any."""
    found: list[Occurrence] = []
    technician = beat.devices.get("technician") if isinstance(beat.devices, dict) else None
    events = technician.get("events") if isinstance(technician, dict) else None
    for event in events if isinstance(events, list) else []:
        if not isinstance(event, dict) or event.get("event") != "pin-rejected":
            continue
        wait = event.get("retry_after_s")
        if isinstance(wait, int | float) and not isinstance(wait, bool) and wait > 0:
            at = str(event.get("at", ""))[:40]
            found.append(Occurrence(f"pin-lockout:{at}", PIN_LOCKOUT,
                                    {"at": at, "failures": event.get("failures"), "wait_s": wait}))
    for change in beat.service_events:
        if change.change == "raised" and change.condition in LATCHED_CONDITIONS:
            found.append(Occurrence(f"service:{change.condition}:{change.seq}:{change.at or ''}", SERVICE_CONDITION,
                                    {"condition": change.condition, "detail": change.detail[:200],
                                     "at": change.at}))
    if beat.dead_letters:
        # the count as key: each rise is a new occurrence; the same count again is the same one
        found.append(Occurrence(f"dead-letters:{beat.dead_letters}", DEAD_LETTERS, {"n": beat.dead_letters}))
    if halted_version is not None:
        reason = beat.catalog_refused.reason[:200] if beat.catalog_refused else ""
        found.append(Occurrence(f"catalog-halted:{halted_version}", CATALOG_HALTED,
                                {"version": halted_version, "reason": reason}))
    for version in beat.software_refused:
        found.append(Occurrence(f"software-rolled-back:{version}", SOFTWARE_ROLLED_BACK, {"version": version}))
    return found


# Plain SQL built once (the heartbeat path: see district.sync_api); executemany for several occurrences.
_INSERT = ("INSERT INTO latched_alerts (kiosk, key, kind, params, raised_at) VALUES (:kiosk, :key, :kind, {params}, "
           ":raised_at) ON CONFLICT (kiosk, key) DO NOTHING")
_INSERT_POSTGRESQL = text(_INSERT.format(params="CAST(:params AS json)"))
_INSERT_SQLITE = text(_INSERT.format(params=":params"))


def raise_from_heartbeat(s: Session, kiosk: str, beat: Heartbeat, halted_version: int | None = None,
                         now: float | None = None) -> int:
    """Raise the heartbeat's latched alerts in the caller's transaction (idempotent); how many were candidates.
    Nothing is executed when the heartbeat holds none."""
    found = occurrences(beat, halted_version)
    if not found:
        return 0
    at = time.time() if now is None else now
    rows = [{"kiosk": kiosk, "key": o.key[:200], "kind": o.kind, "raised_at": at,
             "params": json.dumps(o.params, separators=(",", ":"), ensure_ascii=False)} for o in found]
    s.execute(_INSERT_POSTGRESQL if s.get_bind().dialect.name == "postgresql" else _INSERT_SQLITE, rows)
    return len(found)


def _as_dict(r: LatchedAlertRow) -> dict[str, Any]:
    return {"id": r.id, "kiosk": r.kiosk, "kind": r.kind, "params": dict(r.params or {}), "raised_at": r.raised_at,
            "acknowledged_at": r.acknowledged_at, "acknowledged_by": r.acknowledged_by}


def open_by_kiosk(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """{kiosk: its unacknowledged alerts, oldest first} (the fleet table: one query for every kiosk)."""
    out: dict[str, list[dict[str, Any]]] = {}
    with Session(engine) as s:
        for r in s.scalars(select(LatchedAlertRow).where(LatchedAlertRow.acknowledged_at.is_(None))
                           .order_by(LatchedAlertRow.id)):
            out.setdefault(r.kiosk, []).append(_as_dict(r))
    return out


def alerts_of(engine: Engine, kiosk: str, limit: int = 50) -> list[dict[str, Any]]:
    """A kiosk's latched alerts: the unacknowledged ones first, then the newest acknowledged ones."""
    with Session(engine) as s:
        rows = list(s.scalars(select(LatchedAlertRow).where(LatchedAlertRow.kiosk == kiosk)
                              .order_by(LatchedAlertRow.acknowledged_at.is_not(None), LatchedAlertRow.id.desc())
                              .limit(limit)))
    return [_as_dict(r) for r in rows]


def listing(engine: Engine, open_only: bool = False, limit: int = 500) -> list[dict[str, Any]]:
    """Every kiosk's latched alerts, newest first."""
    query = select(LatchedAlertRow).order_by(LatchedAlertRow.id.desc()).limit(limit)
    if open_only:
        query = query.where(LatchedAlertRow.acknowledged_at.is_(None))
    with Session(engine) as s:
        return [_as_dict(r) for r in s.scalars(query)]


def acknowledge(engine: Engine, alert_id: int, by: str, now: float | None = None) -> dict[str, Any]:
    """Record who acknowledged the alert and when; returns it. AlertNotFound, AlreadyAcknowledged (the first
    acknowledgement stands: two operators clicking at once do not overwrite each other)."""
    at = time.time() if now is None else now
    with Session(engine) as s, s.begin():
        done = s.execute(update(LatchedAlertRow).where(LatchedAlertRow.id == alert_id,
                                                       LatchedAlertRow.acknowledged_at.is_(None))
                         .values(acknowledged_at=at, acknowledged_by=by[:64])).rowcount
        row = s.get(LatchedAlertRow, alert_id)
        if row is None:
            raise AlertNotFound(alert_id)
        if not done:
            raise AlreadyAcknowledged(row.acknowledged_by or "?", row.acknowledged_at or 0.0)
        return _as_dict(row)
