"""Personal data in the outbox lives only as long as it is needed: a queued request's document number, name,
phone and bank account leave the kiosk's database when the district acknowledges it; dead letters lose theirs
after the operator's retention, keeping their metadata."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from district.models import ReceivedTransactionRow
from kiosk.store.models import DeadLetterRow, OutboxRow
from kiosk.store.outbox import Outbox
from kiosk.store.transactions import TransactionStore
from sync.daemon import SyncDaemon

CITIZEN = {"document_number": "330106197811230417", "holder_name": "陈国强",
           "phone": "13912345678", "bank_account": "6222021202000012345"}


def _queued(store: TransactionStore) -> str:
    request = {"path": "/api/v1/citizen/requests", "type": "pension-application", "module": "application_form",
               "accepted_at": "2026-11-29T10:00:00+08:00", "kiosk_id": "ATREST",
               "document_number": CITIZEN["document_number"], "holder_name": CITIZEN["holder_name"],
               "fields": {"phone": CITIZEN["phone"], "bank_account": CITIZEN["bank_account"]}}
    return store.record(item_id="pension-application", module_id="application_form", status="queued",
                        holder="d" * 64, summary={"item": "pension-application", "document": "330***********0417"},
                        request=request).id


def _rows(engine, table) -> list:
    with Session(engine) as s:
        return list(s.scalars(select(table)))


def _on_disk(data) -> list[str]:
    """Which of the citizen's values can be read straight from the database's files (a thief with the disk)."""
    blob = b"".join(f.read_bytes() for f in sorted(data.glob("kiosk.db*")))
    return [v for v in CITIZEN.values() if v.encode() in blob]


def _leaks(payload: dict) -> list[str]:
    text = json.dumps(payload, ensure_ascii=False)
    return [v for v in CITIZEN.values() if v in text]


def test_delivered_payloads_are_redacted_and_a_late_rating_still_arrives(district_sqlite, kiosk_factory,
                                                                          null_log):
    k = kiosk_factory("ATREST", district_sqlite.url)
    tx = _queued(k.store)
    (pending,) = _rows(k.engine, OutboxRow)
    assert len(_leaks(pending.payload)) == 4  # while pending, the district still needs all of it
    daemon = SyncDaemon(k.config, k.engine, null_log)
    assert daemon.drain().delivered == 1
    (row,) = _rows(k.engine, OutboxRow)
    assert row.state == "delivered" and row.payload["redacted_at"]
    assert _leaks(row.payload) == [] and row.payload["holder"] == ""
    assert _on_disk(k.data) == [], "redacted rows must not linger in the WAL or in freed cells"
    assert row.payload["id"] == tx and row.payload["tracking_number"] and row.payload["request"]["type"] == \
        "pension-application"
    with Session(district_sqlite.engine) as s:
        received = s.scalar(select(ReceivedTransactionRow).where(ReceivedTransactionRow.id == tx))
        assert received.payload["request"]["document_number"] == CITIZEN["document_number"]  # the district has it
    # The citizen rates after delivery: the redacted row goes back out and the district records the rating.
    k.store.set_rating(tx, "good")
    assert daemon.drain().delivered == 1
    (row,) = _rows(k.engine, OutboxRow)
    assert row.state == "delivered" and _leaks(row.payload) == []
    with Session(district_sqlite.engine) as s:
        received = s.scalar(select(ReceivedTransactionRow).where(ReceivedTransactionRow.id == tx))
        assert received.payload["rating"] == "good"
        assert received.payload["request"]["document_number"] == CITIZEN["document_number"]


def test_dead_letters_keep_personal_data_only_for_the_retention(district_sqlite, kiosk_factory, null_log):
    k = kiosk_factory("ATREST", district_sqlite.url)
    # Recorded under another kiosk's name: the district rejects it (kiosk_id is not the authenticated kiosk).
    tx = _queued(TransactionStore(k.engine, "SOMEONE-ELSE"))
    daemon = SyncDaemon(k.config, k.engine, null_log)
    assert daemon.drain().dead_lettered == 1
    (dead,) = _rows(k.engine, DeadLetterRow)
    assert len(_leaks(dead.payload)) == 4
    assert daemon.purge() == 0  # within the default retention (30 days): kept for the operator to look at
    expired = SyncDaemon(dataclasses.replace(k.config, sync=dataclasses.replace(k.config.sync,
                                                                                 dead_letter_retention_days=0)),
                         k.engine, null_log)
    # created_at has a resolution of one second: make the row older than a retention of zero days
    with Session(k.engine) as s, s.begin():
        s.get(DeadLetterRow, dead.id).created_at = (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)).isoformat()
    assert expired.purge() == 1
    (dead,) = _rows(k.engine, DeadLetterRow)
    (row,) = _rows(k.engine, OutboxRow)
    for payload in (dead.payload, row.payload):
        assert _leaks(payload) == [] and payload["redacted_at"]
    assert _on_disk(k.data) == []
    assert (dead.transaction_id, dead.seq) == (tx, 1) and "not the authenticated kiosk" in dead.reason
    assert dead.payload["item_id"] == "pension-application" and row.state == "dead_letter"
    assert expired.purge() == 0  # once
    assert Outbox(k.engine).status()["dead_letter"] == 1
