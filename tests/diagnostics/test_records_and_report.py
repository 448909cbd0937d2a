"""Recorded checks (latest by id, 90-day retention, typed refusals), the interactive answer, the heartbeat
carrying the latest results to a real district, the done-when run on the demo configuration, and the readiness
report read back with pdftotext."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from contract.durable_sqlite import open_engine, sqlite_url
from kiosk.diagnostics.runner import DEVICES, confirm
from kiosk.store.database import migrate
from kiosk.store.diagnostics import DiagnosticsRecords
from sync.daemon import SyncDaemon
from tests.diagnostics.cli import REPO, diagnostics

DEMO = REPO / "assets" / "config" / "demo.toml"


@pytest.fixture()
def records(tmp_path: Path) -> DiagnosticsRecords:
    engine = open_engine(sqlite_url(tmp_path / "kiosk.db"))
    migrate(engine)
    return DiagnosticsRecords(engine)


def test_latest_is_chosen_by_id_not_by_a_clock_that_jumped(records: DiagnosticsRecords):
    now = dt.datetime(2026, 11, 29, 12, tzinfo=dt.UTC)
    records.record("printer", "internal", "fail", "PRN-A4-MEDIA-EMPTY", "out of paper", 3.0, "1.0", now=now)
    # The clock was set back an hour, then paper was loaded: the newer run has the older time.
    records.record("printer", "internal", "pass", "PRN-A4-OK", "ok", 2.0, "1.0", now=now - dt.timedelta(hours=1))
    latest = records.latest()["printer"]["internal"]
    assert (latest.status_id, latest.health) == ("PRN-A4-OK", "pass")
    assert [r.status_id for r in records.history("printer")] == ["PRN-A4-OK", "PRN-A4-MEDIA-EMPTY"]


def test_runs_older_than_90_days_are_purged(records: DiagnosticsRecords):
    now = dt.datetime(2026, 11, 29, tzinfo=dt.UTC)
    records.record("disk", "internal", "pass", "DISK-OK", "old", 1.0, "1.0", now=now - dt.timedelta(days=91))
    records.record("disk", "internal", "pass", "DISK-OK", "recent", 1.0, "1.0", now=now - dt.timedelta(days=89))
    records.record("disk", "internal", "pass", "DISK-OK", "today", 1.0, "1.0", now=now)
    assert [r.text for r in records.history()] == ["today", "recent"]


def test_bad_level_or_health_is_refused_and_stores_nothing(records: DiagnosticsRecords):
    with pytest.raises(ValueError, match="level"):
        records.record("disk", "thorough", "pass", "DISK-OK", "x", 1.0, "1.0")
    with pytest.raises(ValueError, match="health"):
        records.record("disk", "internal", "ok", "DISK-OK", "x", 1.0, "1.0")
    assert records.history() == []


def test_technicians_interactive_answer_is_recorded(records: DiagnosticsRecords):
    run = confirm(records, "printer", True, "page printed legibly", "1.0")
    assert (run.status.status_id, run.level.value) == ("TECH-CONFIRMED", "interactive")
    confirm(records, "voice", False, "no sound from the speaker", "1.0")
    latest = records.latest()
    assert latest["printer"]["interactive"].health == "pass"
    assert (latest["voice"]["interactive"].health, latest["voice"]["interactive"].text) == \
        ("fail", "no sound from the speaker")
    with pytest.raises(ValueError, match="observation"):
        confirm(records, "printer", True, "  ", "1.0")
    with pytest.raises(ValueError, match="unknown device"):
        confirm(records, "coffee-machine", True, "hot", "1.0")


def test_heartbeat_carries_the_latest_checks_to_the_district(district_sqlite, kiosk_factory, null_log):
    from district.models import HeartbeatRow

    kiosk = kiosk_factory("DIAG", district_sqlite.url)
    recorded = DiagnosticsRecords(kiosk.engine)
    recorded.record("printer", "internal", "fail", "PRN-A4-MEDIA-EMPTY", "queue kiosk-a4: media-empty-error", 4.0,
                    "1.0")
    recorded.record("printer", "external", "pass", "PRN-A4-TEST-PRINTED", "job 3 completed", 900.0, "1.0")
    daemon = SyncDaemon(kiosk.config, kiosk.engine, null_log)
    daemon.ensure_enrolled()
    assert daemon.heartbeat()
    with Session(district_sqlite.engine) as s:
        body = s.scalar(select(HeartbeatRow.body).where(HeartbeatRow.kiosk == "DIAG"))
    checks = body["devices"]["checks"]["printer"]
    assert checks["internal"]["status_id"] == "PRN-A4-MEDIA-EMPTY" and checks["internal"]["health"] == "fail"
    assert checks["external"]["status_id"] == "PRN-A4-TEST-PRINTED"


def test_demo_configuration_passes_every_device_and_the_report_shows_it(district_sqlite, tmp_path: Path):
    data = tmp_path / "data"
    common = ("--config", str(DEMO), "--data", str(data), "--district", district_sqlite.url)
    result = diagnostics("run", *common, "--json")
    assert result.code == 0, result.lines
    assert [line["device"] for line in result.lines] == list(DEVICES)
    assert {line["health"] for line in result.lines} == {"pass"}
    for line in result.lines:
        assert set(line) >= {"device", "state", "power", "health", "status_id", "text", "fix_zh", "fix_en", "ms"}
    external = diagnostics("run", *common, "--device", "printer", "--level", "external", "--json")
    assert external.code == 0 and external.device("printer")["status_id"] == "PRN-A4-TEST-PRINTED"

    history = diagnostics("history", *common, "--device", "printer", "--json")
    assert [line["level"] for line in history.lines] == ["external", "internal"]

    out = tmp_path / "readiness.pdf"
    report = subprocess.run([*_kiosk(), "diagnostics", "report", *common, "--out", str(out)], cwd=REPO,
                            capture_output=True, text=True, timeout=180)
    assert report.returncode == 0, report.stderr
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "sc-demo-01" in text and "Readiness report" in text and "终端就绪报告" in text
    assert re.search(r"Configuration SHA-256[^:]*: [0-9a-f]{64}", text)
    assert re.search(r"Catalog version[^:]*: v\d+", text) and "Last sync" in text and "MiB" in text
    for device in DEVICES:
        assert re.search(rf"^\f?{device}: PASS", text, re.M), device  # \f: a new page
    assert re.search(r"last external: pass PRN-A4-TEST-PRINTED", text)
    assert "last interactive: no test on record" in text


def _kiosk() -> list[str]:
    import sys

    return [sys.executable, "-m", "kiosk"]


def test_a_bad_configuration_is_a_clear_error_not_a_device_failure(tmp_path: Path):
    config = tmp_path / "kiosk.toml"
    config.write_text('[printer]\ncups_queeue = "kiosk-a4"\n', encoding="utf-8")
    result = diagnostics("run", "--config", str(config), "--json")
    assert result.code == 3 and result.lines == []
    assert "cups_queeue" in result.stderr
