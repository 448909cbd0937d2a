"""Backups (issue 16, point 8): `kiosk-district backup` / `restore` on SQLite and PostgreSQL, keys only when asked,
and a district restored to an earlier point takes the kiosks' next batches without duplicates or losses."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.orm import Session

from district.cli import main as district_cli
from kiosk.store.models import OutboxRow
from sync.daemon import SyncDaemon
from tests.sync.conftest import make_settings
from tests.sync.district_process import ThreadedDistrict
from tests.sync.test_ingest import server_rows


def _keys(folder: Path) -> Path:
    from district.tuf_repository import OperatorKeys

    keys = OperatorKeys(folder)
    keys.create_missing()
    return folder


def test_restored_district_accepts_the_next_batches_without_duplicates(district_db_url, kiosk_factory, null_log,
                                                                       tmp_path: Path):
    keys = _keys(tmp_path / "keys")
    settings = make_settings(district_db_url, demo=True, keys_dir=keys)
    server = ThreadedDistrict(settings).start()
    k = kiosk_factory("BR-01", server.url)
    daemon = SyncDaemon(k.config, k.engine, null_log)
    before_backup = k.record(10)
    assert daemon.drain().delivered == 10
    assert district_cli(["backup", str(tmp_path / "backup"), "--db", district_db_url, "--keys", str(keys)]) == 0
    after_backup = k.record(10)
    assert daemon.drain().delivered == 10
    server.stop()

    # Back to the earlier point: the district no longer has the last ten, the kiosk has them as delivered.
    assert district_cli(["restore", str(tmp_path / "backup"), "--db", district_db_url, "--keys", str(keys)]) == 0
    server = ThreadedDistrict(settings, port=server.port).start()
    try:
        assert [tx_id for tx_id, _seq in server_rows(server.engine, "BR-01")] == before_backup
        # The operator has the kiosks re-send what the restored district may lack (here: the whole outbox).
        with Session(k.engine) as s, s.begin():
            s.execute(update(OutboxRow).values(state="pending"))
        newer = k.record(5)
        resent = daemon.drain()
        assert resent.outcome == "empty" and resent.delivered == 25 and resent.dead_lettered == 0
        rows = server_rows(server.engine, "BR-01")
        assert [tx_id for tx_id, _seq in rows] == before_backup + after_backup + newer  # once each, in order
        assert [seq for _id, seq in rows] == list(range(1, 26))
        from district.stats import district_stats

        assert district_stats(server.engine)["kiosks"]["BR-01"]["duplicates_refused"] == 10  # the first ten
    finally:
        server.stop()


def _district_db(url: str) -> str:
    from district.database import migrate, open_engine

    engine = open_engine(url)
    migrate(engine)
    engine.dispose()
    return url


def test_keys_stay_out_unless_asked(sqlite_db_url, tmp_path: Path, capsys):
    _district_db(sqlite_db_url)
    keys = _keys(tmp_path / "keys")
    (keys / "document-signing.pem").write_bytes(b"-----BEGIN PRIVATE KEY-----\nnot a real key\n")
    assert district_cli(["backup", str(tmp_path / "plain"), "--db", sqlite_db_url, "--keys", str(keys)]) == 0
    assert "not in this backup" in capsys.readouterr().err
    assert not (tmp_path / "plain" / "keys").exists()
    assert not any(p.suffix == ".pem" for p in (tmp_path / "plain").rglob("*"))
    assert district_cli(["backup", str(tmp_path / "full"), "--db", sqlite_db_url, "--keys", str(keys),
                         "--include-keys"]) == 0
    copied = sorted(p.name for p in (tmp_path / "full" / "keys").rglob("*.pem"))
    assert copied == sorted(p.name for p in keys.rglob("*.pem")) and "root.pem" in copied
    assert stat.S_IMODE(os.stat(tmp_path / "full" / "keys" / "root.pem").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(tmp_path / "full").st_mode) == 0o700

    # Restoring keys never overwrites a different key, and a backup without keys cannot restore any.
    other = _keys(tmp_path / "other-keys")
    assert district_cli(["restore", str(tmp_path / "full"), "--db", sqlite_db_url, "--keys", str(other),
                         "--include-keys"]) == 2
    assert "exists with other content" in capsys.readouterr().err
    assert district_cli(["restore", str(tmp_path / "plain"), "--db", sqlite_db_url, "--keys", str(other),
                         "--include-keys"]) == 2
    assert "without the keys" in capsys.readouterr().err
    empty = tmp_path / "restored-keys"
    assert district_cli(["restore", str(tmp_path / "full"), "--db", sqlite_db_url, "--keys", str(empty),
                         "--include-keys"]) == 0
    assert (empty / "root.pem").read_bytes() == (keys / "root.pem").read_bytes()


def test_bad_backup_folders_are_refused_with_a_reason(sqlite_db_url, tmp_path: Path, capsys):
    assert district_cli(["backup", str(tmp_path / "b"), "--db", sqlite_db_url]) == 2  # no database there yet
    assert "no district database" in capsys.readouterr().err and not (tmp_path / "district.db").exists()
    _district_db(sqlite_db_url)
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "something").write_text("x")
    assert district_cli(["backup", str(tmp_path / "used"), "--db", sqlite_db_url]) == 2
    assert "not empty" in capsys.readouterr().err
    (tmp_path / "not-a-backup").mkdir()
    assert district_cli(["restore", str(tmp_path / "not-a-backup"), "--db", sqlite_db_url]) == 2
    assert "not a kiosk-district backup" in capsys.readouterr().err
