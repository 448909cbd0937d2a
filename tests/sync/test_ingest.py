"""Enrollment, authenticated idempotent ingest, --once and outbox status: on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

from sqlalchemy import select
from sqlalchemy.orm import Session

from district.models import ReceivedTransactionRow
from kiosk.link.enrollment import current_enrollment
from sync.daemon import SyncDaemon
from tests.sync.district_process import REPO


def server_rows(engine, kiosk: str) -> list[tuple[str, int]]:
    with Session(engine) as s:
        return [tuple(r) for r in s.execute(select(ReceivedTransactionRow.id, ReceivedTransactionRow.seq)
                                            .where(ReceivedTransactionRow.kiosk == kiosk)
                                            .order_by(ReceivedTransactionRow.rx))]


def test_drain_delivers_everything_once_in_order(district, kiosk_factory, null_log):
    k = kiosk_factory("K01", district.url, batch_size=7)
    ids = k.record(30)
    daemon = SyncDaemon(k.config, k.engine, null_log)
    result = daemon.drain()
    assert result.outcome == "empty" and result.delivered == 30
    assert [r[0] for r in server_rows(district.engine, "K01")] == ids
    # key 0600, enrollment files written
    assert stat.S_IMODE(os.stat(k.data / "kiosk_key.pem").st_mode) == 0o600
    assert current_enrollment(k.data).kiosk_id == "K01"
    status = daemon.write_status_file()
    assert status["pending"] == 0 and status["delivered"] == 30 and status["last_success"]
    # sending the same rows again (as after a crash before settling) is answered "duplicate"
    from sqlalchemy import update

    from kiosk.store.models import OutboxRow
    with Session(k.engine) as s, s.begin():
        s.execute(update(OutboxRow).values(state="pending"))
    again = daemon.drain()
    assert again.delivered == 30
    assert len(server_rows(district.engine, "K01")) == 30
    from district.stats import district_stats
    stats = district_stats(district.engine)
    assert stats["kiosks"]["K01"]["transactions"] == 30 and stats["kiosks"]["K01"]["duplicates_refused"] == 30


def test_rejected_items_are_dead_lettered_and_do_not_block(district, kiosk_factory, null_log):
    k = kiosk_factory("K02", district.url)
    k.record(3)
    # The kiosk's own writer cannot produce an invalid item (contract.transactions validates it), so corrupt one
    # row the way an older or damaged terminal would have left it: the district must refuse it, not the queue.
    bad = k.record(1)[0]
    from kiosk.store.models import OutboxRow
    with Session(k.engine) as s, s.begin():
        row = s.scalar(select(OutboxRow).where(OutboxRow.transaction_id == bad))
        row.payload = {**row.payload, "status": "bogus"}
    k.record(3)
    daemon = SyncDaemon(k.config, k.engine, null_log)
    result = daemon.drain()
    assert result.outcome == "empty" and result.delivered == 6 and result.dead_lettered == 1
    status = daemon.write_status_file()
    assert status["dead_letter"] == 1 and status["pending"] == 0
    from kiosk.store.models import DeadLetterRow
    with Session(k.engine) as s:
        reason = s.scalar(select(DeadLetterRow.reason))
    assert "status" in reason
    assert [seq for _id, seq in server_rows(district.engine, "K02")] == [1, 2, 3, 5, 6, 7]


def test_once_and_outbox_status_commands(district_sqlite, kiosk_factory):
    k = kiosk_factory("K03", district_sqlite.url)
    k.record(5)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    run = [sys.executable, "-m", "sync.daemon_cli", "--data", str(k.data), "--district", district_sqlite.url,
           "--once"]
    cfg = k.data / "kiosk.toml"
    cfg.write_text('[terminal]\nkiosk_id = "K03"\n')
    done = subprocess.run([*run, "--config", str(cfg)], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    status = subprocess.run([sys.executable, "-m", "kiosk.cli", "outbox", "status", "--data", str(k.data),
                             "--config", str(cfg), "--json"], env=env, capture_output=True, text=True, timeout=60)
    assert status.returncode == 0, status.stderr
    doc = json.loads(status.stdout)
    assert {"pending", "delivered", "dead_letter", "oldest_pending_age_s", "last_success",
            "last_error"} <= set(doc)
    assert doc["pending"] == 0 and doc["delivered"] == 5 and doc["last_success"]
    # unreachable district: non-zero with a reason, backlog kept
    k.record(2)
    down = subprocess.run([sys.executable, "-m", "sync.daemon_cli", "--data", str(k.data), "--config", str(cfg),
                           "--district", "http://127.0.0.1:9", "--once"], env=env, capture_output=True,
                          text=True, timeout=60)
    assert down.returncode == 3 and "unreachable" in down.stderr and "2 pending" in down.stderr
