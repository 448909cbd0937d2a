"""Putting a terminal together from its configuration: store, catalog, modules, district client, devices."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from contract.durable_sqlite import open_engine, sqlite_url
from contract.eventlog import EventLog
from contract.log_events import Event
from kiosk.catalog.source import CatalogSource
from kiosk.config import Config
from kiosk.errors import DatabaseCorrupt
from kiosk.link.district_client import HttpDistrictClient
from kiosk.services.registry import ModuleRegistry
from kiosk.store.data_folder import secure_data_folder, secure_database_file
from kiosk.store.database import check_integrity, migrate
from kiosk.store.transactions import TransactionStore
from kiosk.terminal.database_watch import look_at
from kiosk.terminal.out_of_service import Condition, Finding
from kiosk.terminal.terminal import Devices, Terminal


def database_path(config: Config) -> Path:
    """The terminal's SQLite file inside its data folder."""
    return config.data_dir / "kiosk.db"


def open_store(config: Config, log: EventLog | None = None) -> TransactionStore:
    """Open (creating and migrating if needed) the terminal's database, after checking its integrity.

    Raises DatabaseCorrupt (logged as `db-corrupt`) when the file fails SQLite's integrity check; the file is
    left untouched.
    """
    secure_data_folder(config.data_dir)
    path = secure_database_file(database_path(config))
    engine = open_engine(sqlite_url(path))
    try:
        check_integrity(engine, path)
    except DatabaseCorrupt as exc:
        engine.dispose()
        if log is not None:
            log.log(Event.DB_CORRUPT, path=str(path), detail=exc.detail[:300])
        raise
    revision = migrate(engine)
    if log is not None:
        log.log(Event.DB_MIGRATED, revision=revision)
    return TransactionStore(engine, config.terminal.kiosk_id)


class EnrolledSigner:
    """Signs district requests with the kiosk's key as soon as the kiosk is enrolled.

    The sync daemon enrolls the kiosk, possibly after the shell started: until then requests go unsigned (a
    production district refuses them, the demo district serves them), and from the first request after
    enrollment on they are signed, without a restart.
    """

    def __init__(self, data_dir: Path, kiosk_id: str) -> None:
        self._data_dir = data_dir
        self._kiosk_id = kiosk_id
        self._signer: Any = None

    def __call__(self, method: str, path: str, body: bytes) -> dict[str, str]:
        if self._signer is None:
            from kiosk.link.enrollment import signer_for

            self._signer = signer_for(self._data_dir, self._kiosk_id)
            if self._signer is None:
                return {}
        return self._signer(method, path, body)


def district_client(config: Config) -> HttpDistrictClient:
    """The HTTP district client, signing requests with the kiosk's key once it is enrolled."""
    return HttpDistrictClient(config.terminal.district_url, ca_file=config.terminal.district_ca,
                              authenticator=EnrolledSigner(config.data_dir, config.terminal.kiosk_id))


def startup_finding(config: Config) -> Finding | None:
    """What keeps a terminal from being assembled now, checked quietly (nothing logged, nothing created beyond
    the data folder): a database failing its quick check, or no usable catalog. The shell's out-of-service
    screen asks again on a timer, so a technician who restores the database or the catalog needs no restart."""
    from contract.catalog.model import CatalogInvalid
    from contract.eventlog import NullEventLog

    path = database_path(config)
    if path.exists() and path.stat().st_size > 0:  # a missing or empty file is a first start: it is created
        finding = look_at(path)
        if finding is not None:
            return finding
    try:
        CatalogSource(config.data_dir, NullEventLog(), ModuleRegistry.discover().ids(), override=config.catalog.path)
    except CatalogInvalid as exc:
        return Finding(Condition.CATALOG_UNUSABLE, f"no usable catalog: {exc}"[:300])
    return None


def assemble(config: Config, devices: Devices | None = None, log: EventLog | None = None) -> Terminal:
    """A ready Terminal for `config`; `devices` defaults to the configured ones.

    Raises DatabaseCorrupt when the database fails its integrity check (the shell then shows out of service).
    """
    secure_data_folder(config.data_dir)  # before the log creates anything inside it
    if log is None:
        log = EventLog(stream=sys.stderr, path=config.data_dir / "logs" / "kiosk.jsonl", component="kiosk")
    log.log(Event.APP_START, kiosk=config.terminal.kiosk_id, data=str(config.data_dir))
    store = open_store(config, log)
    modules = ModuleRegistry.discover()
    for name, problem in modules.broken.items():
        log.log(Event.UNEXPECTED_ERROR, where="service-plugin", plugin=name, error=problem)
    catalogs = CatalogSource(config.data_dir, log, modules.ids(), override=config.catalog.path)
    if devices is None:
        from kiosk.devices.factory import build_devices

        devices = build_devices(config, log)
    return Terminal(config, devices, store, catalogs, modules, district_client(config), log)
