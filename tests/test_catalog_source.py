"""The active catalog: the district's last verified file, else the shipped one; a bad file never replaces a good one."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

from contract.eventlog import EventLog
from kiosk.catalog.source import SHIPPED_CATALOG, CatalogSource


def write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)  # the daemon's atomic rename


def test_corrupt_district_catalog_falls_back_and_never_replaces_a_good_one(tmp_path):
    log_out = io.StringIO()
    current = tmp_path / "catalog" / "current.json"
    write(current, b'{"version": 7, "items": [')  # truncated download
    source = CatalogSource(tmp_path, EventLog(stream=log_out), known_modules=None)
    assert source.catalog.sha256 and len(source.catalog.items) == 195, "the shipped catalog serves"
    assert "catalog-rejected" in log_out.getvalue()

    doc = json.loads(SHIPPED_CATALOG.read_bytes())
    doc["version"] = 8
    doc["items"] = doc["items"][:10]
    write(current, json.dumps(doc).encode())
    assert source.refresh() is True and source.catalog.version == 8 and len(source.catalog.items) == 10

    doc["items"].append(dict(doc["items"][0]))  # a duplicate id: invalid
    write(current, json.dumps(doc).encode())
    assert source.refresh() is False
    assert source.catalog.version == 8 and len(source.catalog.items) == 10, "the last good catalog stays"
    assert source.refresh() is False, "the same bad file is not parsed again and again"


def test_catalog_naming_a_module_that_is_not_installed_is_rejected(tmp_path):
    from kiosk.services.registry import ModuleRegistry

    doc = json.loads(SHIPPED_CATALOG.read_bytes())
    doc["version"] = 99
    doc["items"][0]["module"] = "no-such-module"
    write(tmp_path / "catalog" / "current.json", json.dumps(doc).encode())
    source = CatalogSource(tmp_path, EventLog(stream=io.StringIO()), known_modules=ModuleRegistry.discover().ids())
    assert source.catalog.version != 99 and len(source.catalog.items) == 195
