"""The readiness report's facts: who the kiosk is, what it runs, and every device's state and last checks.

What VxSuite prints before an election, for a kiosk: kiosk id, software and catalog versions, the hash of the
effective configuration (so two kiosks can be compared without reading their files), each device's current
state and its last check of each level, free disk and the last successful sync.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from kiosk.config import Config
from kiosk.diagnostics.runner import CheckRun
from kiosk.store.diagnostics import CheckRecord, DiagnosticsRecords


def config_hash(config: Config) -> str:
    """SHA-256 of the effective configuration as canonical JSON (comments and key order do not change it)."""
    canonical = json.dumps(dataclasses.asdict(config), sort_keys=True, default=str, ensure_ascii=False,
                           separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Readiness:
    kiosk_id: str
    generated_at: str
    software_version: str
    catalog: str
    config_sha256: str
    current: list[CheckRun]  # the internal checks run for this report
    last: dict[str, dict[str, CheckRecord]]  # device -> level -> latest recorded run
    free_disk_bytes: int | None
    last_sync: str | None
    sync_backlog: int | None


def gather(config: Config, engine: Engine, current: list[CheckRun], software_version: str,
           now: dt.datetime | None = None) -> Readiness:
    """Collect the report's facts; `current` are the internal checks just run (and recorded)."""
    from kiosk.store.outbox import Outbox

    status = Outbox(engine).status()
    disk = next((run.status.facts.get("free_bytes") for run in current if run.status.device == "disk"), None)
    return Readiness(kiosk_id=config.terminal.kiosk_id,
                     generated_at=(now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds"),
                     software_version=software_version, catalog=_catalog(config), config_sha256=config_hash(config),
                     current=current, last=DiagnosticsRecords(engine).latest(), free_disk_bytes=disk,
                     last_sync=status.get("last_success"), sync_backlog=status.get("pending"))


def _catalog(config: Config) -> str:
    from contract.catalog.model import CatalogInvalid
    from contract.eventlog import NullEventLog
    from kiosk.catalog.source import CatalogSource

    try:
        catalog = CatalogSource(config.data_dir, NullEventLog(), None, override=config.catalog.path).catalog
    except CatalogInvalid as exc:
        return f"no usable catalog ({exc})"
    return f"v{catalog.version} ({catalog.sha256[:12]})"


def as_json(readiness: Readiness) -> dict[str, Any]:
    return {"kiosk_id": readiness.kiosk_id, "generated_at": readiness.generated_at,
            "software_version": readiness.software_version, "catalog": readiness.catalog,
            "config_sha256": readiness.config_sha256, "free_disk_bytes": readiness.free_disk_bytes,
            "last_sync": readiness.last_sync, "sync_backlog": readiness.sync_backlog,
            "devices": [run.as_json() for run in readiness.current],
            "last_checks": {d: {lv: r.as_json() for lv, r in levels.items()} for d, levels in readiness.last.items()}}
