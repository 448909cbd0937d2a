"""Fixtures for the shell tests: a real district server on loopback and a terminal on simulated devices."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from contract.eventlog import EventLog
from kiosk.config import Config, load_config
from tests.sync.district_process import ThreadedDistrict


@pytest.fixture()
def district(tmp_path: Path) -> Iterator[ThreadedDistrict]:
    from district.settings import DistrictSettings

    server = ThreadedDistrict(DistrictSettings(db_url=f"sqlite:///{tmp_path / 'district.db'}", demo=True)).start()
    yield server
    server.stop()


def enroll_if_reachable(config: Config) -> None:
    """Enroll the terminal's data folder with its (demo, loopback) district, as the sync daemon does at first
    start: citizen data goes only to enrolled kiosks. A district that is down, or one that refuses this kiosk
    (revoked), is left for the test to meet: the shell itself never enrolls."""
    from kiosk.errors import DistrictUnavailable
    from kiosk.link.enrollment import EnrollmentRefused, enroll

    try:
        enroll(config.data_dir, config.terminal.district_url, config.terminal.kiosk_id, timeout_s=3.0)
    except (DistrictUnavailable, EnrollmentRefused):
        pass


def shell_config(data: Path, district_url: str, **sections: dict) -> Config:
    """A fast configuration: simulated devices with short delays, PDFs into <data>/printed."""
    overrides: dict[str, dict] = {
        "terminal": {"data_dir": str(data), "district_url": district_url, "kiosk_id": "sc-test-01"},
        "simulated": {"read_delay_s": 0.05, "face_delay_s": 0.2, "print_delay_s": 0.0},
        "ui": {"voice": False},
    }
    for name, values in sections.items():
        overrides.setdefault(name, {}).update(values)
    return load_config(None, overrides)


@pytest.fixture()
def log_stream() -> io.StringIO:
    return io.StringIO()


@pytest.fixture()
def open_shell(qtbot):
    """open_shell(config, devices=None, log=None) -> the main window over a started terminal; closed at teardown."""
    from contract.eventlog import NullEventLog
    from kiosk.assembly import assemble
    from kiosk.deployment_check import unsafe_settings
    from kiosk.ui.app import build_window, make_application

    terminals = []

    def open_(config: Config, devices=None, log: EventLog | None = None):
        # `kiosk run` would show its out-of-service screen instead: a test rig pairing a real reader with
        # simulated devices says so with [terminal] demo = true, as a real demo must.
        unsafe = unsafe_settings(config)
        assert not unsafe, f"kiosk run would refuse this configuration: {[str(p) for p in unsafe]}"
        app = make_application(config)
        enroll_if_reachable(config)
        terminal = assemble(config, devices=devices, log=log or NullEventLog())
        terminal.start()
        terminals.append(terminal)
        window = build_window(app, terminal, windowed=True)
        qtbot.addWidget(window)
        return window

    yield open_
    for terminal in terminals:
        terminal.close()


@pytest.fixture()
def shell(open_shell, tmp_path: Path, district: ThreadedDistrict, log_stream: io.StringIO):
    """The real main window over a real terminal (simulated devices, SQLite, the district on loopback)."""
    config = shell_config(tmp_path / "kiosk", district.url)
    return open_shell(config, log=EventLog(stream=log_stream, path=tmp_path / "kiosk" / "logs" / "kiosk.jsonl"))
