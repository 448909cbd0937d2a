"""Recording transactions: a transaction and its outbox row are committed in one database transaction."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from contract.transactions import TransactionItem
from kiosk.store.models import AuditEventRow, Counter, OutboxRow, TransactionRow

SEQUENCE = "transaction_seq"


@dataclass(frozen=True)
class StoredTransaction:
    id: str
    seq: int
    status: str
    tracking_number: str


def tracking_number(kiosk_id: str, seq: int) -> str:
    """The number a citizen quotes: kiosk name plus its sequence, e.g. 'SC01-000042'."""
    short = "".join(ch for ch in kiosk_id.upper() if ch.isalnum())[-6:] or "KIOSK"
    return f"{short}-{seq:06d}"


class TransactionStore:
    """Writes transactions durably. Thread-safe: each call uses its own connection and transaction."""

    def __init__(self, engine: Engine, kiosk_id: str) -> None:
        self._engine = engine
        self._kiosk_id = kiosk_id

    @property
    def engine(self) -> Engine:
        """The database engine (the outbox status reads the same database)."""
        return self._engine

    def record(self, *, item_id: str, module_id: str, status: str, holder: str, summary: dict[str, Any],
               request: dict[str, Any] | None = None, now: dt.datetime | None = None) -> StoredTransaction:
        """Store a transaction with its outbox row atomically and return its id, sequence and tracking number.

        Either both rows are on disk (fsynced: synchronous=FULL) when this returns, or neither is.
        """
        tx_id = str(uuid.uuid4())
        device_time = (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
        with Session(self._engine) as s, s.begin():
            seq = self._next_seq(s)
            tn = tracking_number(self._kiosk_id, seq)
            s.add(TransactionRow(id=tx_id, seq=seq, kiosk_id=self._kiosk_id, item_id=item_id, module_id=module_id,
                                 status=status, holder=holder, summary=summary, device_time=device_time))
            s.flush()  # the outbox row's foreign key needs the transaction row first
            s.add(OutboxRow(transaction_id=tx_id, seq=seq, kind="transaction", state="pending", attempts=0,
                            created_mono=time.monotonic(), created_at=device_time,
                            payload=TransactionItem(
                                id=tx_id, seq=seq, kiosk_id=self._kiosk_id, item_id=item_id, module_id=module_id,
                                status=status, holder=holder, summary=summary, request=request or {},
                                device_time=device_time, tracking_number=tn).model_dump(mode="json",
                                                                                      exclude_none=True)))
        return StoredTransaction(id=tx_id, seq=seq, status=status, tracking_number=tn)

    def set_rating(self, transaction_id: str, rating: str) -> None:
        """Store the citizen's good/bad rating with the transaction and send it to the district.

        The rating rides on the transaction's outbox row. If the sync daemon already delivered that row, the row
        goes back to pending with the rating added: the district takes the re-sent id as a duplicate and records
        the rating it did not have (district.ingest), so a rating given after delivery is never lost.
        """
        if rating not in ("good", "bad"):
            raise ValueError("rating must be 'good' or 'bad'")
        with Session(self._engine) as s, s.begin():
            s.execute(update(TransactionRow).where(TransactionRow.id == transaction_id).values(rating=rating))
            row = s.scalar(select(OutboxRow).where(OutboxRow.transaction_id == transaction_id,
                                                   OutboxRow.state.in_(("pending", "delivered"))))
            if row is not None:
                row.payload = {**row.payload, "rating": rating}
                row.state = "pending"
                row.delivered_at = None

    def audit(self, event: str, detail: dict[str, Any]) -> None:
        """Append an audit event (decisions only: never biometrics or unmasked numbers)."""
        with Session(self._engine) as s, s.begin():
            s.add(AuditEventRow(ts=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                                event=event, detail=detail))

    def get(self, transaction_id: str) -> TransactionRow | None:
        """The stored transaction row, detached."""
        with Session(self._engine, expire_on_commit=False) as s:
            return s.get(TransactionRow, transaction_id)

    @staticmethod
    def _next_seq(s: Session) -> int:
        counter = s.get(Counter, SEQUENCE)
        if counter is None:
            counter = Counter(name=SEQUENCE, value=0)
            s.add(counter)
        counter.value += 1
        return counter.value
