"""Signed catalog distribution (python-tuf): publish, fetch, verify, apply atomically; refuse tampered,
rolled-back, expired and badly signed metadata while keeping the last good catalog. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from district.models import TufMetadataRow, TufTargetRow
from district.tuf_repository import OperatorKeys, TufRepository
from kiosk.store.models import CatalogVersionRow
from sync.daemon import SyncDaemon
from tests.sync.district_process import REPO


def catalog_bytes(version: int, title: str = "Record") -> bytes:
    """The shipped catalog (so it stays valid as its schema evolves) with its version and one title changed."""
    doc = json.loads((REPO / "assets" / "catalog" / "catalog.json").read_text(encoding="utf-8"))
    doc["version"] = version
    doc["items"][0]["title_en"] = title
    return json.dumps(doc, ensure_ascii=False).encode()


@pytest.fixture
def repo(district, tmp_path):
    keys = OperatorKeys(tmp_path / "keys")
    keys.create_missing()
    repository = TufRepository(district.engine)
    repository.initialise(keys)
    return keys, repository


@pytest.fixture
def kiosk(district, kiosk_factory, null_log, repo):
    k = kiosk_factory("CAT1", district.url)
    daemon = SyncDaemon(k.config, k.engine, null_log)
    daemon.ensure_enrolled()  # pins the root
    assert (k.data / "district" / "root.json").exists()
    return k, daemon


def active_versions(engine) -> list[tuple[int, bool]]:
    with Session(engine) as s:
        return [tuple(r) for r in s.execute(select(CatalogVersionRow.version, CatalogVersionRow.active)
                                            .order_by(CatalogVersionRow.version))]


def test_publish_then_apply_atomically_and_record_versions(repo, kiosk):
    keys, repository = repo
    k, daemon = kiosk
    assert daemon.check_catalog()["outcome"] == "none-published"
    repository.publish(keys, catalog_bytes(1), 1)
    state = daemon.check_catalog()
    assert state["outcome"] == "applied" and state["version"] == 1 and not state["expired"], state
    assert (k.data / "catalog" / "current.json").read_bytes() == catalog_bytes(1)
    assert daemon.check_catalog()["outcome"] == "current"
    repository.publish(keys, catalog_bytes(2, "Record v2"), 2)
    assert daemon.check_catalog()["outcome"] == "applied"
    assert (k.data / "catalog" / "current.json").read_bytes() == catalog_bytes(2, "Record v2")
    assert active_versions(k.engine) == [(1, False), (2, True)]
    assert not list((k.data / "catalog").glob(".*.tmp"))


def test_tampered_catalog_file_is_refused_and_last_good_kept(district, repo, kiosk):
    keys, repository = repo
    k, daemon = kiosk
    repository.publish(keys, catalog_bytes(1), 1)
    assert daemon.check_catalog()["outcome"] == "applied"
    published = repository.publish(keys, catalog_bytes(2), 2)
    with Session(district.engine) as s, s.begin():
        s.execute(update(TufTargetRow).where(TufTargetRow.sha256 == published.sha256)
                  .values(body=catalog_bytes(2, "EVIL")))
    state = daemon.check_catalog()
    assert state["outcome"] == "refused" and "does not match its signed hash" in state["reason"]
    assert (k.data / "catalog" / "current.json").read_bytes() == catalog_bytes(1)
    assert active_versions(k.engine) == [(1, True)]


def test_lower_version_metadata_is_refused(district, repo, kiosk):
    keys, repository = repo
    k, daemon = kiosk
    repository.publish(keys, catalog_bytes(1), 1)
    repository.publish(keys, catalog_bytes(2), 2)
    assert daemon.check_catalog()["version"] == 2
    with Session(district.engine) as s, s.begin():  # the server now serves an older timestamp (freeze/rollback)
        newest = s.scalar(select(func.max(TufMetadataRow.version)).where(TufMetadataRow.role == "timestamp"))
        s.execute(delete(TufMetadataRow).where(TufMetadataRow.role == "timestamp",
                                               TufMetadataRow.version == newest))
    state = daemon.check_catalog()
    assert state["outcome"] == "refused" and "rollback" in state["reason"]
    assert (k.data / "catalog" / "current.json").read_bytes() == catalog_bytes(2)


def test_expired_metadata_is_refused_and_flagged(repo, kiosk):
    keys, repository = repo
    k, daemon = kiosk
    repository.publish(keys, catalog_bytes(1), 1)
    daemon.check_catalog()
    repository.publish(keys, catalog_bytes(2), 2, expires_in={"timestamp": dt.timedelta(seconds=-60)})
    state = daemon.check_catalog()
    assert state["outcome"] == "refused" and "expired" in state["reason"] and state["expired"]
    assert (k.data / "catalog" / "current.json").read_bytes() == catalog_bytes(1)
    status = daemon.write_status_file()
    assert status["catalog"]["expired"] is True and status["catalog"]["active_version"] == 1


def test_wrong_key_and_invalid_catalog_are_refused(district, repo, kiosk, tmp_path):
    keys, repository = repo
    k, daemon = kiosk
    repository.publish(keys, catalog_bytes(1), 1)
    daemon.check_catalog()
    repository.publish(keys, b'{"items": [{"id": "no-fields"}]}', 9)  # signed but not a valid catalog
    state = daemon.check_catalog()
    assert state["outcome"] == "refused" and "does not validate" in state["reason"]
    rogue = OperatorKeys(tmp_path / "rogue")
    rogue.create_missing()
    for role in ("snapshot", "timestamp"):  # the attacker holds the online keys but not the targets key
        (rogue.folder / f"{role}.pem").unlink()
        (rogue.folder / f"{role}.pem").write_bytes((keys.folder / f"{role}.pem").read_bytes())
    repository.publish(rogue, catalog_bytes(3, "EVIL"), 3)
    state = daemon.check_catalog()
    assert state["outcome"] == "refused" and "signature" in state["reason"].lower()
    assert (k.data / "catalog" / "current.json").read_bytes() == catalog_bytes(1)


def test_cli_publish_reaches_a_running_daemon(district_sqlite, kiosk_factory, null_log, tmp_path):
    import threading
    import time

    db = str(district_sqlite.engine.url)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cli = [sys.executable, "-m", "district.cli"]
    init = subprocess.run([*cli, "catalog", "init", "--db", db, "--keys", str(tmp_path / "keys")], env=env,
                          capture_output=True, text=True, timeout=60)
    assert init.returncode == 0, init.stderr
    k = kiosk_factory("CAT2", district_sqlite.url, catalog_poll_s=0.5)
    daemon = SyncDaemon(k.config, k.engine, null_log)
    daemon.ensure_enrolled()
    stop = threading.Event()
    thread = threading.Thread(target=daemon.run, args=(stop,), daemon=True)
    thread.start()
    try:
        bad = tmp_path / "bad.json"
        bad.write_text('{"items": [{"id": 1}]}')
        refused = subprocess.run([*cli, "catalog", "publish", str(bad), "--db", db, "--keys", str(tmp_path / "keys")],
                                 env=env, capture_output=True, text=True, timeout=60)
        assert refused.returncode != 0 and "not a valid catalog" in refused.stderr
        good = tmp_path / "catalog.json"
        good.write_bytes(catalog_bytes(5))
        done = subprocess.run([*cli, "catalog", "publish", str(good), "--db", db, "--keys", str(tmp_path / "keys")],
                              env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        deadline = time.monotonic() + 10
        current = k.data / "catalog" / "current.json"
        while time.monotonic() < deadline and not (current.exists() and current.read_bytes() == catalog_bytes(5)):
            time.sleep(0.05)
        assert current.read_bytes() == catalog_bytes(5)
    finally:
        stop.set()
        thread.join(timeout=10)


def test_online_keys_renew_expired_metadata_and_the_flag_clears(repo, kiosk):
    keys, repository = repo
    k, daemon = kiosk
    repository.publish(keys, catalog_bytes(1), 1, expires_in={"timestamp": dt.timedelta(seconds=-60)})
    state = daemon.check_catalog()
    assert state["outcome"] == "refused" and state["expired"]
    assert not (k.data / "catalog" / "current.json").exists()
    assert repository.expiring(dt.timedelta(hours=12))
    repository.refresh_online(keys)  # what `serve` does with the online keys, or `catalog refresh`
    assert not repository.expiring(dt.timedelta(hours=12))
    state = daemon.check_catalog()
    assert state["outcome"] == "applied" and not state["expired"], state


def test_kiosk_enrolled_before_the_repository_existed_pins_root_later(district, kiosk_factory, null_log, tmp_path):
    k = kiosk_factory("EARLY", district.url)
    daemon = SyncDaemon(k.config, k.engine, null_log)
    daemon.ensure_enrolled()
    assert not (k.data / "district" / "root.json").exists()
    assert daemon.check_catalog()["outcome"] == "not-pinned"
    keys = OperatorKeys(tmp_path / "keys")
    keys.create_missing()
    repository = TufRepository(district.engine)
    repository.initialise(keys)
    repository.publish(keys, catalog_bytes(4), 4)
    assert daemon.check_catalog()["outcome"] == "applied"
    assert (k.data / "district" / "root.json").exists()


def test_key_rotation_is_followed_and_retired_keys_are_refused(district, repo, kiosk):
    from district.tuf_repository import signer_from_pem

    keys, repository = repo
    k, daemon = kiosk
    repository.publish(keys, catalog_bytes(1), 1)
    assert daemon.check_catalog()["outcome"] == "applied"
    for role in ("timestamp", "targets", "root"):
        repository.rotate_key(keys, role)
        state = daemon.check_catalog()
        assert state["outcome"] in ("current", "applied"), (role, state)
    repository.publish(keys, catalog_bytes(2), 2)
    assert daemon.check_catalog()["outcome"] == "applied"
    trusted_root = json.loads((k.data / "district" / "tuf" / "root.json").read_text())
    assert trusted_root["signed"]["version"] == 4  # followed three rotations from the pinned v1
    # an attacker holding the retired timestamp key signs a newer timestamp: refused
    from tuf.api.metadata import Metadata
    retired = next(keys.folder.glob("timestamp.pem.retired-*"))
    with Session(district.engine) as s, s.begin():
        newest = s.scalar(select(TufMetadataRow).where(TufMetadataRow.role == "timestamp")
                          .order_by(TufMetadataRow.version.desc()).limit(1))
        md = Metadata.from_bytes(newest.body)
        md.signed.version += 1
        md.signatures.clear()
        md.sign(signer_from_pem(retired))
        s.add(TufMetadataRow(role="timestamp", version=md.signed.version, body=md.to_bytes(), published_at=0.0))
    state = daemon.check_catalog()
    assert state["outcome"] == "refused" and "signature" in state["reason"].lower()
    assert (k.data / "catalog" / "current.json").read_bytes() == catalog_bytes(2)
