"""Fixtures of the sync tests: district servers on SQLite and on a private PostgreSQL, kiosks with data folders."""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path

import pytest

from contract.durable_sqlite import open_engine, sqlite_url
from contract.eventlog import NullEventLog
from district.settings import DistrictSettings
from kiosk.config import Config, SyncConfig, TerminalConfig
from kiosk.store.database import migrate
from kiosk.store.transactions import TransactionStore
from tests.sync.district_process import ThreadedDistrict
from tests.sync.private_postgres import PostgresUnavailable, PrivatePostgres

_db_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def private_postgres():
    """A private PostgreSQL for the whole session (fails, not skips, when it cannot start here)."""
    try:
        pg = PrivatePostgres().start()
    except PostgresUnavailable as exc:
        pytest.fail(f"PostgreSQL is installed by scripts/bootstrap.sh but did not start: {exc}")
    yield pg
    pg.stop()


@pytest.fixture(params=["sqlite", "postgres"])
def district_db_url(request, tmp_path: Path) -> str:
    """A fresh, empty district database URL: SQLite file, then a new PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'district.db'}"
    pg = request.getfixturevalue("private_postgres")
    return pg.create_database(f"district_{next(_db_numbers)}")


@pytest.fixture
def sqlite_db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'district.db'}"


def make_settings(db_url: str, **kw) -> DistrictSettings:
    return DistrictSettings(db_url=db_url, **kw)


@pytest.fixture
def district(district_db_url: str):
    """A demo district server (loopback enrollment without token) on SQLite and on PostgreSQL."""
    server = ThreadedDistrict(make_settings(district_db_url, demo=True)).start()
    yield server
    server.stop()


@pytest.fixture
def district_sqlite(sqlite_db_url: str):
    server = ThreadedDistrict(make_settings(sqlite_db_url, demo=True)).start()
    yield server
    server.stop()


@dataclasses.dataclass
class Kiosk:
    data: Path
    config: Config
    store: TransactionStore
    engine: object

    def record(self, n: int, **overrides) -> list[str]:
        """Record `n` completed transactions; returns their ids in order."""
        ids = []
        for i in range(n):
            fields = {"item_id": "si-record", "module_id": "social_insurance_record", "status": "completed",
                      "holder": f"h{i:04d}", "summary": {"n": i}, **overrides}
            ids.append(self.store.record(**fields).id)
        return ids


def make_kiosk(root: Path, name: str, district_url: str, **sync_overrides) -> Kiosk:
    data = root / name
    data.mkdir(parents=True, exist_ok=True)
    fast = {"interval_s": 0.2, "backoff_base_s": 0.05, "backoff_cap_s": 0.5, "request_timeout_s": 5.0,
            "heartbeat_s": 30.0, "catalog_poll_s": 3600.0}
    sync = dataclasses.replace(SyncConfig(), **{**fast, **sync_overrides})
    config = Config(terminal=TerminalConfig(kiosk_id=name, data_dir=data, district_url=district_url), sync=sync)
    engine = open_engine(sqlite_url(data / "kiosk.db"))
    migrate(engine)
    return Kiosk(data, config, TransactionStore(engine, name), engine)


@pytest.fixture
def kiosk_factory(tmp_path: Path):
    made: list[Kiosk] = []

    def factory(name: str, district_url: str, **kw) -> Kiosk:
        k = make_kiosk(tmp_path / "kiosks", name, district_url, **kw)
        made.append(k)
        return k

    yield factory
    for k in made:
        k.engine.dispose()


@pytest.fixture
def null_log() -> NullEventLog:
    return NullEventLog()
