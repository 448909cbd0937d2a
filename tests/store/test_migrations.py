"""The migrations build exactly the schema the models declare (kiosk and district)."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from contract.durable_sqlite import open_engine, sqlite_url
from kiosk.store.database import migrate
from kiosk.store.models import Base as KioskBase


@pytest.mark.parametrize("which", ["kiosk", "district"])
def test_models_match_migrations(tmp_path, which):
    if which == "kiosk":
        engine = open_engine(sqlite_url(tmp_path / "k.db"))
        migrate(engine)
        metadata = KioskBase.metadata
    else:
        from district import database as district_db
        from district.console import models as console_models  # noqa: F401 - its tables share the metadata
        from district.models import Base as DistrictBase

        engine = district_db.open_engine(f"sqlite:///{tmp_path / 'd.db'}")
        district_db.migrate(engine)
        metadata = DistrictBase.metadata
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), metadata)
    assert diffs == [], diffs
