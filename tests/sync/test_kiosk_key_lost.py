"""A kiosk whose key file is lost after enrollment refuses to make a new key, says so, and loses nothing."""

from __future__ import annotations

import io
import json

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from contract.eventlog import EventLog
from district.models import KioskRow, ReceivedTransactionRow
from kiosk.link.kiosk_key import KEY_FILE
from kiosk.store.outbox import Outbox
from sync.daemon import SyncDaemon


def _events(stream: io.StringIO, name: str) -> list[dict]:
    return [e for e in map(json.loads, stream.getvalue().splitlines()) if e["event"] == name]


def _district_state(district, kiosk: str) -> tuple[str | None, int]:
    with Session(district.engine) as s:
        key = s.scalar(select(KioskRow.public_key).where(KioskRow.name == kiosk))
        n = s.scalar(select(func.count()).select_from(ReceivedTransactionRow)
                     .where(ReceivedTransactionRow.kiosk == kiosk))
    return key, n or 0


def test_lost_key_is_reported_not_regenerated(district_sqlite, kiosk_factory) -> None:
    k = kiosk_factory("KEYLOST", district_sqlite.url)
    stream = io.StringIO()
    log = EventLog(stream=stream, component="sync")
    k.record(1)
    assert SyncDaemon(k.config, k.engine, log).drain().delivered == 1
    enrolled_key, received = _district_state(district_sqlite, "KEYLOST")
    assert received == 1 and enrolled_key
    key_file = k.data / KEY_FILE
    backup = key_file.read_bytes()
    key_file.unlink()  # the fault: a disk repair, a bad image restore, a careless technician
    waiting = k.record(1)
    for _ in range(2):  # a restarted daemon, twice: it must not re-key, and it reports it once
        daemon = SyncDaemon(k.config, k.engine, log)
        result = daemon.drain()
        assert result.outcome == "refused" and "missing" in result.reason
        assert not key_file.exists(), "a new key would only earn 401s: none may be generated"
        assert daemon.heartbeat() is False
        status = daemon.write_status_file()
        assert status["kiosk_key"] == "lost" and status["link"] == "key-lost" and status["pending"] == 1
    assert len(_events(stream, "kiosk-key-lost")) == 1
    on_disk = json.loads((k.data / "sync" / "status.json").read_text(encoding="utf-8"))
    assert on_disk["kiosk_key"] == "lost"
    assert _district_state(district_sqlite, "KEYLOST") == (enrolled_key, 1)  # nothing re-bound, nothing sent
    # The operator restores the key: the waiting transaction goes out exactly once, and the status clears.
    key_file.write_bytes(backup)
    daemon = SyncDaemon(k.config, k.engine, log)
    assert daemon.drain().delivered == 1
    assert _district_state(district_sqlite, "KEYLOST") == (enrolled_key, 2)
    assert Outbox(k.engine).status()["kiosk_key"] == "ok"
    assert [p.transaction_id for p in Outbox(k.engine).pending(10)] == []
    assert waiting
