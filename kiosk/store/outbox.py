"""Outbox queries for the sync daemon and for `kiosk outbox status` / the shell's sync indicator.

Rows leave `pending` only in `settle()`, after the district acknowledged them, and always in one database
transaction with their dead letters and sync-state update, so a crash at any point leaves each row either
pending (it is sent again; the district answers `duplicate`) or settled - never lost, never half-settled.
Ordering is by the kiosk's sequence number only, never by any clock.

Personal data leaves with delivery: a delivered row's payload is redacted in the same database transaction that
settles it, and dead letters are redacted once the operator's retention has passed (kiosk.store.redaction);
their metadata (ids, sequence, item, reason, times) stays.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from kiosk.store.models import DeadLetterRow, OutboxRow, SyncStateRow
from kiosk.store.redaction import is_redacted, redacted_payload


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _iso(t: dt.datetime) -> str:
    return t.isoformat(timespec="seconds")


@dataclass(frozen=True)
class PendingItem:
    outbox_id: int
    transaction_id: str
    seq: int
    payload: dict[str, Any]


@dataclass(frozen=True)
class Settlement:
    """What the district said about one sent item: delivered (accepted or duplicate) or rejected + reason."""

    outbox_id: int
    delivered: bool
    reason: str = ""


class Outbox:
    """The outbox of one kiosk database. Thread-safe (a connection and transaction per call)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def pending(self, limit: int) -> list[PendingItem]:
        """The first `limit` pending rows in sequence order."""
        with Session(self._engine) as s:
            rows = s.execute(select(OutboxRow.id, OutboxRow.transaction_id, OutboxRow.seq, OutboxRow.payload)
                             .where(OutboxRow.state == "pending").order_by(OutboxRow.seq).limit(limit)).all()
        return [PendingItem(r.id, r.transaction_id, r.seq, r.payload) for r in rows]

    def settle(self, settlements: list[Settlement], server_time: float | None, clock_skew_s: float | None,
               state: dict[str, Any] | None = None) -> None:
        """Mark delivered rows and move rejected ones to dead_letters, atomically, with sync-state updates."""
        now = _iso(_utc_now())
        delivered = [x.outbox_id for x in settlements if x.delivered]
        with Session(self._engine) as s, s.begin():
            if delivered:
                for row in s.scalars(select(OutboxRow).where(OutboxRow.id.in_(delivered),
                                                             OutboxRow.state == "pending")):
                    row.state, row.delivered_at, row.last_error = "delivered", now, None
                    row.server_received_at, row.clock_skew_s = server_time, clock_skew_s
                    row.payload = redacted_payload(row.payload, now)  # the district holds it now
            for x in settlements:
                if x.delivered:
                    continue
                row = s.get(OutboxRow, x.outbox_id)
                if row is None or row.state != "pending":
                    continue
                row.state = "dead_letter"
                row.last_error = x.reason
                if s.scalar(select(DeadLetterRow.id).where(DeadLetterRow.transaction_id == row.transaction_id)) \
                        is None:
                    s.add(DeadLetterRow(transaction_id=row.transaction_id, seq=row.seq, payload=row.payload,
                                        reason=x.reason or "rejected", created_at=now))
            if state:
                self._put_state(s, state)

    def note_failure(self, outbox_ids: list[int], reason: str, state: dict[str, Any] | None = None) -> None:
        """Count a failed attempt on rows that stay pending, and record the error."""
        with Session(self._engine) as s, s.begin():
            if outbox_ids:
                s.execute(update(OutboxRow).where(OutboxRow.id.in_(outbox_ids))
                          .values(attempts=OutboxRow.attempts + 1, last_error=reason[:500]))
            if state:
                self._put_state(s, state)

    def purge_delivered(self, retention: dt.timedelta) -> int:
        """Delete delivered rows older than `retention` (their transactions stay); returns how many."""
        cutoff = _iso(_utc_now() - retention)
        with Session(self._engine) as s, s.begin():
            result = s.execute(delete(OutboxRow).where(OutboxRow.state == "delivered",
                                                       OutboxRow.delivered_at < cutoff))
            return result.rowcount or 0

    def expire_dead_letters(self, retention: dt.timedelta) -> int:
        """Redact the payloads of dead letters older than `retention` (and of their outbox rows); their
        metadata stays. Returns how many were redacted."""
        now = _utc_now()
        cutoff, stamp = _iso(now - retention), _iso(now)
        expired = 0
        with Session(self._engine) as s, s.begin():
            for dead in s.scalars(select(DeadLetterRow).where(DeadLetterRow.created_at < cutoff)):
                if is_redacted(dead.payload):
                    continue
                dead.payload = redacted_payload(dead.payload, stamp)
                row = s.scalar(select(OutboxRow).where(OutboxRow.transaction_id == dead.transaction_id,
                                                       OutboxRow.state == "dead_letter"))
                if row is not None:
                    row.payload = redacted_payload(row.payload, stamp)
                expired += 1
        return expired

    def checkpoint(self) -> bool:
        """Copy the WAL into the database file and truncate it, so that redacted payloads' old page images do
        not linger in `-wal` (with secure_delete on, freed cells in the file are zeroed too). True when complete.
        """
        raw = self._engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            busy = cursor.fetchone()[0]
            cursor.close()
        finally:
            raw.close()
        return busy == 0

    def put_state(self, values: dict[str, Any]) -> None:
        """Store sync-state values (last_success, last_error, clock_skew_s, catalog flags, ...)."""
        with Session(self._engine) as s, s.begin():
            self._put_state(s, values)

    @staticmethod
    def _put_state(s: Session, values: dict[str, Any]) -> None:
        for name, value in values.items():
            stmt = sqlite_insert(SyncStateRow).values(name=name, value=value)
            s.execute(stmt.on_conflict_do_update(index_elements=[SyncStateRow.name],
                                                 set_={"value": stmt.excluded.value}))

    def state(self) -> dict[str, Any]:
        """Every stored sync-state value."""
        with Session(self._engine) as s:
            return {r.name: r.value for r in s.scalars(select(SyncStateRow))}

    def status(self) -> dict[str, Any]:
        """Backlog, delivered and dead-letter counts, oldest pending age, last success / error, and the rest
        of the sync state: what `kiosk outbox status --json`, the shell's indicator and diagnostics show."""
        with Session(self._engine) as s:
            counts = dict(s.execute(select(OutboxRow.state, func.count()).group_by(OutboxRow.state)).all())
            oldest = s.scalar(select(OutboxRow.created_at).where(OutboxRow.state == "pending")
                              .order_by(OutboxRow.seq).limit(1))
            dead = s.scalar(select(func.count()).select_from(DeadLetterRow)) or 0
        state = self.state()
        age = None
        if oldest:
            try:  # informational age only (the kiosk clock); nothing is ordered by it
                age = max(0.0, round((_utc_now() - dt.datetime.fromisoformat(oldest)).total_seconds(), 1))
            except ValueError:
                age = None
        return {"pending": counts.get("pending", 0), "delivered": counts.get("delivered", 0),
                "dead_letter": dead, "oldest_pending_age_s": age,
                "last_success": state.get("last_success"), "last_error": state.get("last_error"),
                "last_error_at": state.get("last_error_at"), "link": state.get("link", "unknown"),
                "clock_skew_s": state.get("clock_skew_s"), "catalog": state.get("catalog"),
                "kiosk_key": state.get("kiosk_key")}

