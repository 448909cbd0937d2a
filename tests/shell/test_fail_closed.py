"""Issue 17.1/17.2 in the shell: an unsafe configuration gets the out-of-service screen (logged, the process stays
up: no crash loop), and demo mode, the only way to relax the identity checks, is marked on screen."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from contract.eventlog import EventLog
from kiosk.config import load_config
from kiosk.deployment_check import unsafe_settings
from tests.shell.conftest import shell_config
from tests.shell.drive import find

REPO = Path(__file__).resolve().parents[2]


def test_demo_mode_is_marked_on_screen(qtbot, tmp_path, district, open_shell):
    window = open_shell(shell_config(tmp_path / "kiosk", district.url, terminal={"demo": True}))
    marker = find(window, "demo-marker")
    assert marker.text().startswith("DEMO") and "演示模式" in marker.text()


def test_no_marker_outside_demo_mode(qtbot, shell):
    with pytest.raises(LookupError):
        find(shell, "demo-marker")


def test_out_of_service_screen_names_the_keys_and_logs_why(qtbot, tmp_path):
    from kiosk.ui.app import build_out_of_service_window, make_application

    config = load_config(None, {"devices": {"document_reader": "pcsc"}, "ui": {"voice": False}})
    problems = unsafe_settings(config)
    stream = io.StringIO()
    app = make_application(config)
    window = build_out_of_service_window(app, config, problems, windowed=True, log=EventLog(stream=stream))
    qtbot.addWidget(window)
    assert find(window, "out-of-service-title").text() == "暂停服务"  # the terminal's language (zh_CN)
    assert "Out of service" in window.english.text() and window.english.isVisible()  # and for visitors
    keys = find(window, "out-of-service-keys").text()
    assert "[devices] face" in keys and "[devices] printer" in keys and "[document] trust_store" in keys
    event = json.loads(stream.getvalue().splitlines()[-1])
    assert event["event"] == "out-of-service"
    assert event["keys"] == ["[devices] face", "[devices] printer", "[document] trust_store"]


def test_kiosk_run_with_a_real_reader_and_no_trust_store_stays_out_of_service(tmp_path):
    """The default configuration plus `document_reader = "pcsc"`: no citizen is served, nothing crashes."""
    path = tmp_path / "kiosk.toml"
    path.write_text('[devices]\ndocument_reader = "pcsc"\ncamera = "opencv"\nface = "dlib"\nprinter = "cups"\n'
                    '[ui]\nvoice = false\n')
    data = tmp_path / "data"
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "kiosk.cli", "run", "--config", str(path), "--data", str(data),
                           "--windowed", "--quit-after", "2"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr  # it ran until told to stop: a supervisor sees no crash to retry
    assert time.monotonic() - started >= 2
    events = [json.loads(line) for line in (data / "logs" / "kiosk.jsonl").read_text().splitlines()]
    names = [e["event"] for e in events]
    assert "app-start" in names and "out-of-service" in names
    assert "attract-shown" not in names and "db-migrated" not in names  # no session, no store, no devices
    refused = next(e for e in events if e["event"] == "out-of-service")
    assert refused["keys"] == ["[document] trust_store"]
    assert "trust_store: not set" in refused["reasons"][0]
