"""contract.durable_sqlite: transactions that only read (READ_ONLY) take no write lock, so a console page reading
the fleet never queues behind a heartbeat's commit; every other transaction still begins IMMEDIATE."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from contract.durable_sqlite import READ_ONLY, open_engine, sqlite_url


def test_a_reader_reads_its_snapshot_while_a_writer_holds_the_lock(tmp_path):
    engine = open_engine(sqlite_url(tmp_path / "d.db"))
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE beats (kiosk TEXT)")
        conn.exec_driver_sql("INSERT INTO beats VALUES ('K1')")
    with engine.connect() as writer:
        writer.begin()  # BEGIN IMMEDIATE: the write lock, held until the commit
        writer.exec_driver_sql("INSERT INTO beats VALUES ('K2')")
        started = time.monotonic()
        with engine.execution_options(**{READ_ONLY: True}).connect() as read:
            with read.begin():
                assert read.execute(text("SELECT count(*) FROM beats")).scalar() == 1  # the committed snapshot
        assert time.monotonic() - started < 5, "the reader waited for the writer"
        with engine.connect() as other:
            other.connection.dbapi_connection.execute("PRAGMA busy_timeout=100")  # (no transaction begun)
            with pytest.raises(OperationalError, match="locked"):
                other.begin()  # without the option: IMMEDIATE, so it queues behind the writer (here: gives up)
        writer.commit()
    with engine.execution_options(**{READ_ONLY: True}).connect() as read, read.begin():
        assert read.execute(text("SELECT count(*) FROM beats")).scalar() == 2
    engine.dispose()
