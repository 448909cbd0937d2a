"""Queued citizen requests: registered when their transaction is ingested, submitted to the department once.

A kiosk that cannot reach the district records the citizen's request as a `queued` transaction and prints a
claim receipt promising it will be submitted. The district acts on the transaction itself, not on a second call
from the kiosk: `register_queued()` runs inside ingest's database transaction, so the request is registered if
and only if its transaction is stored - it cannot be lost between two calls, and a re-sent transaction (a
`duplicate`) registers nothing new (the transaction id is the primary key).

`submit_received()` then hands each registered request to the department (`Submitter`; the demo district's
answers come from demo_data) and records its reference. Each row is claimed under a row lock and marked
`submitted` in the same transaction, so two server processes never both submit it; the transaction id goes
with the submission as its idempotency key, so a crash between the department's answer and our commit (the only
window left) is deduplicated by the department. A failed submission stays `received`, counts an attempt and is
retried by `run_request_submitter`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from contract.eventlog import EventLog
from contract.log_events import Event
from contract.transactions import TransactionItem
from district.models import CitizenRequestRow, ReceivedTransactionRow

RECEIVED, SUBMITTED = "received", "submitted"

# (transaction id = idempotency key, the queued request as the kiosk recorded it) -> the department's answer,
# which names the request's reference as `application_number`.
Submitter = Callable[[str, dict[str, Any]], dict[str, Any]]


def register_queued(s: Session, kiosk: str, items: Sequence[TransactionItem], received_at: float) -> int:
    """Register the queued requests among freshly stored `items` (call inside ingest's transaction)."""
    rows = [{"id": item.id, "kiosk": kiosk, "item_id": item.item_id, "module_id": item.module_id,
             "tracking_number": item.tracking_number, "status": RECEIVED, "received_at": received_at,
             "attempts": 0} for item in items if item.status == "queued" and item.request]
    if not rows:
        return 0
    insert = pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert
    s.execute(insert(CitizenRequestRow).on_conflict_do_nothing(), rows)
    return len(rows)


def demo_submitter(transaction_id: str, request: dict[str, Any]) -> dict[str, Any]:
    """The demo department: accepts the application (deterministic number, see demo_data.accept_application)."""
    from district import demo_data

    fields = {k: str(v) for k, v in request.items() if k != "document_number"}
    return demo_data.accept_application(str(request.get("type", "")), str(request.get("document_number", "")),
                                        fields)


def submit_received(engine: Engine, submit: Submitter, log: EventLog | None = None, limit: int = 100) -> int:
    """Submit up to `limit` registered requests, oldest first; returns how many were submitted now."""
    with Session(engine) as s:
        ids = list(s.scalars(select(CitizenRequestRow.id).where(CitizenRequestRow.status == RECEIVED)
                             .order_by(CitizenRequestRow.received_at, CitizenRequestRow.id).limit(limit)))
    return sum(_submit_one(engine, request_id, submit, log) for request_id in ids)


def _submit_one(engine: Engine, request_id: str, submit: Submitter, log: EventLog | None) -> bool:
    failure = None
    with Session(engine) as s, s.begin():
        q = select(CitizenRequestRow).where(CitizenRequestRow.id == request_id)
        if engine.dialect.name == "postgresql":
            q = q.with_for_update(skip_locked=True)  # another process holds it: it is submitting it
        row = s.scalar(q)  # SQLite: the transaction began IMMEDIATE, writers are serialised
        if row is None or row.status != RECEIVED:
            return False
        payload = s.scalar(select(ReceivedTransactionRow.payload).where(ReceivedTransactionRow.id == request_id))
        row.attempts += 1
        try:
            answer = submit(request_id, dict((payload or {}).get("request") or {}))
            reference = str(answer.get("application_number") or "")[:64]
            if not reference:
                raise ValueError("the department's answer has no application_number")
        except Exception as exc:  # noqa: BLE001 - a department failure leaves the request registered, retried
            failure = f"{type(exc).__name__}: {exc}"[:500]
            row.last_error = failure
        else:
            row.status, row.reference, row.submitted_at, row.last_error = SUBMITTED, reference, time.time(), None
    if log is not None:
        if failure is None:
            log.log(Event.CITIZEN_REQUEST_SUBMITTED, id=request_id, reference=reference)
        else:
            log.log(Event.CITIZEN_REQUEST_FAILED, id=request_id, error=failure[:200])
    return failure is None


def list_requests(engine: Engine, kiosk: str | None = None, status: str | None = None) -> list[dict[str, Any]]:
    """Registered requests, oldest first: id, item, kiosk, status, received_at, tracking_number, reference,
    submitted_at, attempts. Never personal data."""
    q = select(CitizenRequestRow).order_by(CitizenRequestRow.received_at, CitizenRequestRow.id)
    if kiosk:
        q = q.where(CitizenRequestRow.kiosk == kiosk)
    if status:
        q = q.where(CitizenRequestRow.status == status)
    with Session(engine) as s:
        return [{"id": r.id, "item": r.item_id, "kiosk": r.kiosk, "status": r.status,
                 "received_at": r.received_at, "tracking_number": r.tracking_number, "reference": r.reference,
                 "submitted_at": r.submitted_at, "attempts": r.attempts} for r in s.scalars(q)]


def run_request_submitter(engine: Engine, submit: Submitter, stop: threading.Event, log: EventLog,
                          interval_s: float = 30.0) -> None:
    """Retry registered requests every `interval_s` until `stop` is set (errors are logged, never fatal)."""
    while not stop.wait(interval_s):
        try:
            submit_received(engine, submit, log)
        except Exception as exc:  # noqa: BLE001 - a lost database connection: next round
            log.log(Event.UNEXPECTED_ERROR, where="request-submitter", error=f"{type(exc).__name__}: {exc}"[:300])
