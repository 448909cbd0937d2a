"""The shell's status line says when the shipped catalog serves because the district's was refused (issue 14)."""

from __future__ import annotations

import json

from kiosk.catalog.source import SHIPPED_CATALOG
from tests.shell.conftest import shell_config


def test_status_line_shows_the_fallback_to_the_shipped_catalog(qtbot, open_shell, district, tmp_path):
    data = tmp_path / "kiosk"
    doc = json.loads(SHIPPED_CATALOG.read_bytes())
    doc["version"] = 7
    doc["items"][0]["module"] = "removed-department-module"  # the package it relies on was uninstalled
    (data / "catalog").mkdir(parents=True)
    (data / "catalog" / "current.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    window = open_shell(shell_config(data, district.url))
    qtbot.waitUntil(lambda: "⚠" in window.status.text(), timeout=5000)
    assert "内置服务目录" in window.status.text() or "Built-in service list" in window.status.text()


def test_status_line_is_quiet_when_the_district_catalog_serves(qtbot, open_shell, district, tmp_path):
    data = tmp_path / "kiosk"
    doc = json.loads(SHIPPED_CATALOG.read_bytes())
    doc["version"] = 7
    (data / "catalog").mkdir(parents=True)
    (data / "catalog" / "current.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    window = open_shell(shell_config(data, district.url))
    with qtbot.waitSignal(window.bridge.sync_status, timeout=5000) as status:
        window.terminal.poll_sync_status()
    assert status.args[0]["catalog_active"] == {"source": "district", "version": 7, "fallback": None}
    assert "⚠" not in window.status.text()
