"""`kiosk-district backup` / `restore`: the district database, and the operators' keys only when asked.

A backup is a folder: `manifest.json` (what, when, schema revision, whether keys are in it), the database as
`district.pgdump` (pg_dump's custom format: consistent while servers keep writing) or `district.sqlite` (SQLite's
online backup API: a consistent copy of a database in use), and with `include_keys` a `keys/` folder (0700,
files 0600). The keys folder holds the TUF role keys (root and targets are offline keys: an operator may keep
them apart), the document-signing key and the assisted-verification key; they stay out unless asked for, so a
backup copied to ordinary storage carries no private key.

Restoring replaces the database's content with the backup's and then migrates it to this version's schema.
Exactly-once survives a restore to an earlier point: transactions are keyed by the kiosk's id, so a kiosk that
re-sends what the restored database lacks gets it `accepted` once, and what it still holds comes back as
`duplicate` (tests/sync/test_backup_restore.py). Stop the servers before restoring.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from contract.atomic_write import write_atomic
from district.database import migrate, normalise_url, open_engine

MANIFEST = "manifest.json"
PG_DUMP_FILE = "district.pgdump"
SQLITE_FILE = "district.sqlite"
KEYS = "keys"
FORMAT = "kiosk-district-backup-1"


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why (nothing was changed by a refusal)."""


@dataclass(frozen=True)
class BackupManifest:
    format: str
    created_at: float
    dialect: str  # postgresql | sqlite
    schema_revision: str
    keys_included: bool
    key_files: list[str]  # relative paths under keys/ (empty when keys are left out)

    def to_json(self) -> bytes:
        return json.dumps(self.__dict__, indent=2, sort_keys=True).encode() + b"\n"


def _libpq_url(db_url: str) -> str:
    """The SQLAlchemy URL as libpq (pg_dump, pg_restore) reads it."""
    url = make_url(normalise_url(db_url))
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _sqlite_path(db_url: str) -> Path:
    database = make_url(db_url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up")
    return Path(database)


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} not found: install the PostgreSQL client (Debian: postgresql-client)")
    return found


def _run(cmd: list[str]) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        raise BackupError(f"{Path(cmd[0]).name} failed: {done.stderr.strip()[-800:]}")


def _schema_revision(db_url: str) -> str:
    if make_url(normalise_url(db_url)).get_backend_name() == "sqlite" and not _sqlite_path(db_url).is_file():
        raise BackupError(f"no district database at {_sqlite_path(db_url)}")
    engine = open_engine(db_url)
    try:
        with engine.connect() as conn:
            return str(conn.execute(text("SELECT version_num FROM alembic_version")).scalar() or "")
    except SQLAlchemyError as exc:
        raise BackupError(f"not a district database (no schema revision): {type(exc).__name__}") from None
    finally:
        engine.dispose()


def _key_files(keys_dir: Path) -> list[Path]:
    return sorted(p for p in keys_dir.rglob("*") if p.is_file())


def backup(db_url: str, out: Path, keys_dir: Path | None, include_keys: bool = False) -> BackupManifest:
    """Write a backup of `db_url` (and of `keys_dir` when `include_keys`) into the new folder `out`."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise BackupError(f"{out} exists and is not empty: a backup goes into a new folder")
    if include_keys and (keys_dir is None or not Path(keys_dir).is_dir()):
        raise BackupError(f"--include-keys: no keys folder at {keys_dir}")
    dialect = make_url(normalise_url(db_url)).get_backend_name()
    if dialect not in ("postgresql", "sqlite"):
        raise BackupError(f"cannot back up a {dialect} database")
    revision = _schema_revision(db_url)
    out.mkdir(parents=True, exist_ok=True)
    os.chmod(out, 0o700)  # the database holds the register and kiosk keys' public halves, not for everyone
    if dialect == "postgresql":
        _run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
              f"--file={out / PG_DUMP_FILE}", _libpq_url(db_url)])
    else:
        source = sqlite3.connect(f"file:{_sqlite_path(db_url)}?mode=ro", uri=True)
        target = sqlite3.connect(out / SQLITE_FILE)
        try:
            source.backup(target)  # page by page, consistent even while a server writes
        finally:
            target.close()
            source.close()
    copied: list[str] = []
    if include_keys and keys_dir is not None:
        for path in _key_files(Path(keys_dir)):
            relative = path.relative_to(keys_dir)
            write_atomic(out / KEYS / relative, path.read_bytes(), mode=0o600)
            copied.append(str(relative))
        os.chmod(out / KEYS, 0o700)
    manifest = BackupManifest(format=FORMAT, created_at=time.time(), dialect=dialect, schema_revision=revision,
                              keys_included=include_keys, key_files=copied)
    write_atomic(out / MANIFEST, manifest.to_json())
    return manifest


def read_manifest(folder: Path) -> BackupManifest:
    try:
        raw = json.loads((Path(folder) / MANIFEST).read_bytes())
        manifest = BackupManifest(**raw)
    except (OSError, ValueError, TypeError) as exc:
        raise BackupError(f"{folder} is not a kiosk-district backup ({MANIFEST}: {exc})") from None
    if manifest.format != FORMAT:
        raise BackupError(f"{folder}: unknown backup format {manifest.format!r}")
    return manifest


def restore(db_url: str, folder: Path, keys_dir: Path | None, include_keys: bool = False) -> BackupManifest:
    """Replace the content of `db_url` with the backup in `folder`, then migrate it to this version's schema.

    With `include_keys` the backup's keys are written into `keys_dir`; a key already there with other content is
    never overwritten (BackupError, before anything changed).
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    dialect = make_url(normalise_url(db_url)).get_backend_name()
    if dialect != manifest.dialect:
        raise BackupError(f"the backup is of a {manifest.dialect} database, the target is {dialect}")
    if include_keys:
        if not manifest.keys_included:
            raise BackupError("--include-keys: this backup was made without the keys")
        if keys_dir is None:
            raise BackupError("--include-keys needs the keys folder to restore into")
        for relative in manifest.key_files:
            existing = Path(keys_dir) / relative
            if existing.exists() and existing.read_bytes() != (folder / KEYS / relative).read_bytes():
                raise BackupError(f"{existing} exists with other content: move it away first")
    if dialect == "postgresql":
        _run([_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
              "--single-transaction", f"--dbname={_libpq_url(db_url)}", str(folder / PG_DUMP_FILE)])
    else:
        target_path = _sqlite_path(db_url)
        source = sqlite3.connect(f"file:{folder / SQLITE_FILE}?mode=ro", uri=True)
        target = sqlite3.connect(target_path, timeout=30)
        try:
            source.backup(target)  # replaces every page of the target, under its write lock
        finally:
            target.close()
            source.close()
    if include_keys and keys_dir is not None:
        for relative in manifest.key_files:
            write_atomic(Path(keys_dir) / relative, (folder / KEYS / relative).read_bytes(), mode=0o600)
    engine = open_engine(db_url)
    try:
        migrate(engine)  # a backup from an older version gets this version's schema
    finally:
        engine.dispose()
    return manifest
