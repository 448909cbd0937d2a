"""Load: 200 simulated kiosks syncing concurrently against one server (SQLite), and against two server processes
sharing one PostgreSQL. Bounded (a few thousand transactions), loopback only."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from district.database import open_engine
from district.models import ReceivedTransactionRow
from tests.sync.district_process import ProcessDistrict
from tests.sync.fleet_simulator import simulate_fleet


def per_kiosk_counts(db_url: str) -> dict[str, int]:
    engine = open_engine(db_url)
    try:
        with Session(engine) as s:
            return dict(s.execute(select(ReceivedTransactionRow.kiosk, func.count())
                                  .group_by(ReceivedTransactionRow.kiosk)).all())
    finally:
        engine.dispose()


# 200 kiosks enrolling at once from one address (loopback) is this test's set-up, not a flood: the per-address
# limit on unauthenticated endpoints (tested in test_hostile_requests.py) is lifted with the operator's option.
FLEET_ENROLLING = ["--public-rate", "1000", "--public-burst", "1000"]


def test_200_kiosks_against_one_sqlite_server(sqlite_db_url):
    server = ProcessDistrict(sqlite_db_url, extra=FLEET_ENROLLING).start()
    try:
        result = simulate_fleet(server.url, kiosks=200, batches=2, items=10)
    finally:
        server.stop()
    assert result.accepted == 4000 and result.duplicate == 0 and result.rejected == 0, result.errors[:5]
    counts = per_kiosk_counts(sqlite_db_url)
    assert len(counts) == 200 and set(counts.values()) == {20}


def test_200_kiosks_against_two_servers_on_one_postgresql(private_postgres):
    url = private_postgres.create_database("fleet")
    servers = [ProcessDistrict(url, extra=FLEET_ENROLLING).start(), ProcessDistrict(url, extra=FLEET_ENROLLING).start()]
    try:
        result = simulate_fleet([s.url for s in servers], kiosks=200, batches=2, items=10)
    finally:
        for s in servers:
            s.stop()
    assert result.accepted == 4000 and result.duplicate == 0 and result.rejected == 0, result.errors[:5]
    counts = per_kiosk_counts(url)
    assert len(counts) == 200 and set(counts.values()) == {20}
