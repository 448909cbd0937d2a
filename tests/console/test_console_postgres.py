"""The console's tables on PostgreSQL (the production database): migration 0006 there, the audit log's
append-only trigger, accounts and sessions; latched alerts (0009) and rating counts."""

from __future__ import annotations

import time
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from contract.heartbeat import Heartbeat
from district import latched_alerts
from district.console import accounts, audit
from district.console.ratings import kiosk_ratings
from district.console.sessions import find_session, open_session
from district.database import migrate, open_engine
from district.ingest import ingest_batch
from tests.sync.private_postgres import PostgresUnavailable, PrivatePostgres


@pytest.fixture(scope="module")
def pg_url():
    try:
        pg = PrivatePostgres().start()
    except PostgresUnavailable as exc:
        pytest.fail(f"PostgreSQL is installed by scripts/bootstrap.sh but did not start: {exc}")
    yield pg.create_database("console_pg")
    pg.stop()


@pytest.mark.postgres
def test_console_tables_on_postgresql(pg_url):
    engine = open_engine(pg_url)
    migrate(engine)
    accounts.add_operator(engine, "ada", "admin", "a postgres passphrase")
    assert accounts.login(engine, "ada", "a postgres passphrase", 5, 60).role == "admin"
    token = open_session(engine, "ada")
    assert find_session(engine, token, idle_s=60).operator.name == "ada"
    audit.record(engine, "ada", "login")
    with engine.begin() as conn, pytest.raises(DatabaseError, match="append-only"):
        conn.execute(text("UPDATE console_audit SET actor = 'mallory'"))
    with engine.begin() as conn, pytest.raises(DatabaseError, match="append-only"):
        conn.execute(text("DELETE FROM console_audit"))
    assert [e["actor"] for e in audit.entries(engine)] == ["ada"]
    engine.dispose()


@pytest.mark.postgres
def test_latched_alerts_and_ratings_on_postgresql(pg_url):
    engine = open_engine(pg_url)
    migrate(engine)
    beat = Heartbeat.model_validate({"dead_letters": 3, "software_refused": ["1.4.0"], "service_events": [
        {"seq": 1, "condition": "database-corrupt", "change": "raised", "at": "2026-11-29T10:00:00+08:00"}]})
    for _ in range(2):  # the same heartbeat twice: raised once (ON CONFLICT DO NOTHING on PostgreSQL's JSON cast)
        with Session(engine) as s, s.begin():
            latched_alerts.raise_from_heartbeat(s, "K1", beat)
    open_alerts = latched_alerts.open_by_kiosk(engine)["K1"]
    assert sorted(a["kind"] for a in open_alerts) == ["dead-letters", "service-condition", "software-rolled-back"]
    assert latched_alerts.acknowledge(engine, open_alerts[0]["id"], "ada")["acknowledged_by"] == "ada"
    assert len(latched_alerts.open_by_kiosk(engine)["K1"]) == 2
    on_page = latched_alerts.alerts_of(engine, "K1")  # the open ones first, then the acknowledged
    assert [a["acknowledged_by"] for a in on_page] == [None, None, "ada"]
    items = [{"id": str(uuid.uuid4()), "seq": n, "kiosk_id": "K1", "item_id": "si-record", "module_id": "m",
              "status": "completed", "holder": "h", "summary": {}, "device_time": "2026-11-29T10:00:00+08:00",
              **({"rating": r} if r else {})} for n, r in enumerate(("good", "bad", "bad", None), start=1)]
    assert [r.result for r in ingest_batch(engine, "K1", items, time.time(), 0.0)] == ["accepted"] * 4
    ratings = kiosk_ratings(engine, "K1")
    assert [(r.label, r.good, r.bad) for r in ratings.per_item] == [("si-record", 1, 2)]
    engine.dispose()
