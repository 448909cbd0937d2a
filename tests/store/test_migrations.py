"""The migrations build exactly the schema the models declare (kiosk and district)."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from kiosk.store import database as kiosk_db
from kiosk.store.models import Base as KioskBase


@pytest.mark.parametrize("which", ["kiosk", "district"])
def test_models_match_migrations(tmp_path, which):
    if which == "kiosk":
        engine = kiosk_db.open_engine(kiosk_db.sqlite_url(tmp_path / "k.db"))
        kiosk_db.migrate(engine)
        metadata = KioskBase.metadata
    else:
        from sync.district import database as district_db
        from sync.district.models import Base as DistrictBase

        engine = district_db.open_engine(f"sqlite:///{tmp_path / 'd.db'}")
        district_db.migrate(engine)
        metadata = DistrictBase.metadata
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), metadata)
    assert diffs == [], diffs
