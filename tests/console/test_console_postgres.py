"""The console's tables on PostgreSQL (the production database): migration 0006 there, the audit log's
append-only trigger, accounts and sessions."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from district.console import accounts, audit
from district.console.sessions import find_session, open_session
from district.database import migrate, open_engine
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
