"""The kiosk writes its outbox through the contract's TransactionItem: an invalid transaction never gets queued."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from contract.durable_sqlite import open_engine, sqlite_url
from contract.transactions import TransactionItem
from kiosk.store.database import migrate
from kiosk.store.models import OutboxRow, TransactionRow
from kiosk.store.transactions import TransactionStore


@pytest.fixture
def store(tmp_path):
    engine = open_engine(sqlite_url(tmp_path / "k.db"))
    migrate(engine)
    return TransactionStore(engine, "SC-01")


def test_the_outbox_payload_is_a_valid_contract_item(store):
    stored = store.record(item_id="si-record", module_id="social-insurance-record", status="completed",
                          holder="ab" * 16, summary={"months": 36})
    with Session(store.engine) as s:
        payload = s.scalar(select(OutboxRow.payload))
    item = TransactionItem.model_validate(payload)
    assert (item.id, item.seq, item.tracking_number) == (stored.id, stored.seq, stored.tracking_number)


def test_an_invalid_transaction_is_refused_whole(store):
    with pytest.raises(ValidationError):
        store.record(item_id="si-record", module_id="social-insurance-record", status="bogus", holder="x",
                     summary={})
    with Session(store.engine) as s:  # neither the transaction nor its outbox row was written
        assert s.scalar(select(func.count()).select_from(TransactionRow)) == 0
        assert s.scalar(select(func.count()).select_from(OutboxRow)) == 0
