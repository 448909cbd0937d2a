"""Transaction batch ingest: idempotent by transaction id, one result per item, never a partial batch.

Each item is validated on its own: an invalid item is `rejected` with its reason (the kiosk dead-letters it)
and never blocks the others. An id the district already holds is a `duplicate` (the kiosk marks it delivered);
the insert uses ON CONFLICT DO NOTHING, so two server processes receiving the same batch at once (a duplicated
request) still store each transaction once. The whole batch is one database transaction: either every
accepted item is stored or none is, and the answer is only sent after the commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from contract.transactions import ItemResult, TransactionItem
from district.citizen_requests import register_queued
from district.models import KioskRow, ReceivedTransactionRow


def _check(kiosk: str, raw: dict[str, Any]) -> tuple[TransactionItem | None, str | None]:
    try:
        item = TransactionItem.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "item"
        return None, f"invalid {where}: {first['msg']}"
    try:
        uuid.UUID(item.id)
    except ValueError:
        return None, "invalid id: not a UUID"
    if item.kiosk_id != kiosk:
        return None, f"kiosk_id {item.kiosk_id!r} is not the authenticated kiosk"
    return item, None


def _add_rating(s: Session, item: TransactionItem) -> bool:
    """Record the rating a re-sent transaction carries, if the stored copy has none; True if it did."""
    rating = item.rating
    if rating is None:
        return False
    row = s.scalar(select(ReceivedTransactionRow).where(ReceivedTransactionRow.id == item.id))
    if row is None or (row.payload or {}).get("rating"):
        return False
    row.payload = {**row.payload, "rating": rating}
    return True


def ingest_batch(engine: Engine, kiosk: str, items: list[dict[str, Any]], received_at: float,
                 clock_skew_s: float, before: Callable[[Session], None] | None = None) -> list[ItemResult]:
    """Store the batch's valid new transactions of `kiosk` atomically and return one result per item.

    `before(session)` runs first in the same transaction (the request's nonce is recorded there).
    """
    results: list[ItemResult] = []
    checked = []
    for raw in items:
        item, reason = _check(kiosk, raw)
        raw_id = str(raw.get("id", ""))[:64] if isinstance(raw, dict) else ""
        raw_seq = raw.get("seq") if isinstance(raw, dict) and isinstance(raw.get("seq"), int) else None
        checked.append((item, reason))
        results.append(ItemResult(id=raw_id, seq=raw_seq, result="rejected", reason=reason))
    dialect = engine.dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    duplicates = 0
    with Session(engine) as s, s.begin():
        if before is not None:
            before(s)
        valid = [(n, item) for n, (item, _r) in enumerate(checked) if item is not None]
        existing = {}
        if valid:
            rows = s.execute(select(ReceivedTransactionRow.id, ReceivedTransactionRow.kiosk,
                                    ReceivedTransactionRow.seq)
                             .where(ReceivedTransactionRow.id.in_([i.id for _n, i in valid]))).all()
            existing = {r.id: (r.kiosk, r.seq) for r in rows}
        fresh: list[tuple[int, TransactionItem]] = []
        for n, item in valid:
            prior = existing.get(item.id)
            if prior is None:
                existing[item.id] = (kiosk, item.seq)  # a second copy inside this batch is a duplicate
                fresh.append((n, item))
            elif prior == (kiosk, item.seq):
                results[n] = ItemResult(id=item.id, seq=item.seq, result="duplicate")
                if not _add_rating(s, item):  # a re-send that carries the citizen's late rating is no refusal
                    duplicates += 1
            else:
                results[n] = ItemResult(id=item.id, seq=item.seq, result="rejected",
                                        reason="id already used by another transaction")
        inserted: set[str] = set()
        if fresh:
            # One multi-row INSERT ... ON CONFLICT DO NOTHING RETURNING id: rows another process stored first
            # (a duplicated request racing this one) come back missing and are sorted out below.
            stmt = insert(ReceivedTransactionRow).on_conflict_do_nothing().returning(ReceivedTransactionRow.id)
            params = [{"id": item.id, "kiosk": kiosk, "seq": item.seq, "item_id": item.item_id,
                       "module_id": item.module_id, "status": item.status, "payload": item.model_dump(mode="json"),
                       "device_time": item.device_time, "received_at": received_at,
                       "clock_skew_s": clock_skew_s} for _n, item in fresh]
            inserted = set(s.scalars(stmt, params).all())
        # A queued request is registered with its transaction, in this database transaction (never lost between
        # two calls, never twice: a re-sent id is not in `inserted`).
        register_queued(s, kiosk, [item for _n, item in fresh if item.id in inserted], received_at)
        for n, item in fresh:
            if item.id in inserted:
                results[n] = ItemResult(id=item.id, seq=item.seq, result="accepted")
                continue
            # Lost a race with a concurrent copy of this request, or (kiosk, seq) already holds another id.
            again = s.execute(select(ReceivedTransactionRow.kiosk, ReceivedTransactionRow.seq)
                              .where(ReceivedTransactionRow.id == item.id)).first()
            if again is not None and tuple(again) == (kiosk, item.seq):
                results[n] = ItemResult(id=item.id, seq=item.seq, result="duplicate")
                duplicates += 1
            else:
                results[n] = ItemResult(id=item.id, seq=item.seq, result="rejected",
                                        reason=f"sequence {item.seq} already used by another transaction")
        if duplicates:
            s.execute(update(KioskRow).where(KioskRow.name == kiosk)
                      .values(duplicates_refused=KioskRow.duplicates_refused + duplicates))
    return results
