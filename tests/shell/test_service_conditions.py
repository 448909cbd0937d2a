"""The one out-of-service screen in the real shell: a data folder on a small tmpfs filling up, a truncated
database, a clock far from the district's, no usable catalog. Each shows the screen (kiosk id, nearest staffed
counter), reaches the district with the next heartbeat, and ends by itself when its cause is gone."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from contract.durable_sqlite import open_engine, sqlite_url
from contract.eventlog import NullEventLog
from district.models import HeartbeatRow
from kiosk.core.session import Start, State
from kiosk.store.outbox import Outbox
from kiosk.store.service_journal import ServiceJournal
from kiosk.terminal.out_of_service import Condition
from sync.daemon import SyncDaemon
from tests.shell.conftest import enroll_if_reachable, shell_config
from tests.shell.drive import find, tap, wait_state

SI_ITEM = "si-contribution-record"


@pytest.fixture()
def small_tmpfs(tmp_path: Path):
    """A 24 MiB tmpfs to hold the whole data folder."""
    mount = tmp_path / "data"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m,mode=0700", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def _fill(folder: Path, leave_bytes: int) -> Path:
    """A ballast file that leaves about `leave_bytes` free on `folder`'s filesystem."""
    st = os.statvfs(folder)
    ballast = folder / "ballast.bin"
    size = st.f_bavail * st.f_frsize - leave_bytes
    with open(ballast, "wb") as f:
        chunk = b"\0" * (1024 * 1024)
        while size > 0:
            f.write(chunk[:min(size, len(chunk))])
            size -= len(chunk)
    return ballast


def _screen_shows(window, condition: Condition) -> bool:
    screen = window.out_of_service
    return screen.isVisible() and condition.value in (screen.property("conditions") or "")


def _heartbeat_body(district, kiosk_id: str) -> dict:
    with Session(district.engine) as s:
        row = s.get(HeartbeatRow, kiosk_id)
        return dict(row.body) if row is not None else {}


def test_below_the_disk_reserve_no_new_session_starts_and_the_one_running_completes(
        qtbot, open_shell, district, small_tmpfs):
    config = shell_config(small_tmpfs, district.url, service={"disk_reserve_mb": 8})
    window = open_shell(config)
    terminal = window.terminal
    tap(qtbot, window, "start")  # room enough: a citizen starts
    wait_state(qtbot, window, State.MENU)
    ballast = _fill(small_tmpfs, 4 * 1024 * 1024)  # the disk fills under the citizen's session
    tap(qtbot, window, f"item-{SI_ITEM}")
    wait_state(qtbot, window, State.SERVICE_FORM)
    tap(qtbot, window, "next")
    wait_state(qtbot, window, State.CONFIRM)
    tap(qtbot, window, "confirm")
    wait_state(qtbot, window, State.DONE, timeout_ms=30000)  # the reserve is what lets it complete
    assert terminal.session.tracking_number
    tap(qtbot, window, "finish")
    wait_state(qtbot, window, State.ATTRACT)
    tap(qtbot, window, "start")  # the next citizen: refused, the screen says where staff are
    qtbot.waitUntil(lambda: _screen_shows(window, Condition.DISK_FULL), timeout=10000)
    assert terminal.session.state is State.ATTRACT
    assert config.terminal.kiosk_id in find(window, "out-of-service-kiosk").text()
    assert config.terminal.staffed_counter in find(window, "out-of-service-counter").text()
    assert "disk-full" in find(window, "out-of-service-keys").text()
    # the next heartbeat tells the district
    engine = open_engine(sqlite_url(small_tmpfs / "kiosk.db"))
    daemon = SyncDaemon(config, engine, NullEventLog())
    assert daemon.heartbeat()
    body = _heartbeat_body(district, config.terminal.kiosk_id)
    assert body["out_of_service"] == ["disk-full"]
    assert [(e["condition"], e["change"]) for e in body["service_events"]] == [("disk-full", "raised")]
    # room again (a technician clears the disk): back in service without anyone restarting anything
    ballast.unlink()
    terminal.poll_sync_status()
    qtbot.waitUntil(lambda: not window.out_of_service.isVisible(), timeout=10000)
    tap(qtbot, window, "start")
    wait_state(qtbot, window, State.MENU)
    assert daemon.heartbeat()
    body = _heartbeat_body(district, config.terminal.kiosk_id)
    assert body["out_of_service"] == []
    assert [(e["condition"], e["change"]) for e in body["service_events"]] == [("disk-full", "cleared")]
    assert daemon.heartbeat()  # acknowledged changes are not sent again
    assert _heartbeat_body(district, config.terminal.kiosk_id)["service_events"] == []
    engine.dispose()


def test_a_clock_far_from_the_districts_puts_the_kiosk_out_of_service_until_corrected(
        qtbot, open_shell, district, tmp_path):
    config = shell_config(tmp_path / "kiosk", district.url)
    window = open_shell(config)
    terminal = window.terminal
    engine = open_engine(sqlite_url(config.data_dir / "kiosk.db"))
    # The kiosk's clock runs an hour fast: the daemon's signed heartbeat measures it against X-Server-Time.
    fast = SyncDaemon(config, engine, NullEventLog(), clock=lambda: time.time() + 3600)
    assert fast.heartbeat()
    assert Outbox(engine).state()["clock_skew_s"] == pytest.approx(3600, abs=30)
    terminal.poll_sync_status()
    qtbot.waitUntil(lambda: _screen_shows(window, Condition.CLOCK_WRONG), timeout=10000)
    terminal.dispatch(Start())  # a card tapped meanwhile starts nothing
    assert terminal.session.state is State.ATTRACT and terminal.session.session_id == 0
    # NTP corrects the clock: the next heartbeat measures a small skew and the shell serves again.
    assert SyncDaemon(config, engine, NullEventLog()).heartbeat()
    terminal.poll_sync_status()
    qtbot.waitUntil(lambda: not window.out_of_service.isVisible(), timeout=10000)
    tap(qtbot, window, "start")
    wait_state(qtbot, window, State.MENU)
    events = [(e["condition"], e["change"]) for e in ServiceJournal(config.data_dir).read()["events"]]
    assert events == [("clock-wrong", "raised"), ("clock-wrong", "cleared")]
    engine.dispose()


def _host(qtbot, config, devices=None):
    from contract.eventlog import EventLog
    from kiosk.ui.app import make_application, shell_host

    app = make_application(config)
    host = shell_host(app, config, windowed=True, log=EventLog(stream=None, path=config.data_dir / "logs" /
                                                                "kiosk.jsonl"), devices=devices)
    host.open()
    return host


def _close(host) -> None:
    from shiboken6 import isValid

    if host.terminal is not None:
        host.terminal.close()
    if host.window is not None and isValid(host.window):
        host.window.close()
        host.window.deleteLater()


def test_a_truncated_database_shows_the_screen_and_a_restored_one_brings_the_shell_back(qtbot, district,
                                                                                      tmp_path):
    from shiboken6 import isValid

    from kiosk.assembly import database_path, open_store

    config = shell_config(tmp_path / "kiosk", district.url, service={"check_interval_s": 0.2})
    enroll_if_reachable(config)
    store = open_store(config)
    for n in range(40):
        store.record(item_id="si-record", module_id="social_insurance_record", status="completed",
                     holder=f"h{n}", summary={"n": n, "pad": "x" * 200})
    store.engine.dispose()
    path = database_path(config)
    good = path.read_bytes()
    path.write_bytes(good[:len(good) // 2 // 4096 * 4096])  # a power cut during a copy, a failing card
    host = _host(qtbot, config)
    try:
        assert host.terminal is None
        window = host.window
        assert window.objectName() == "outOfService" and window.conditions == [Condition.DATABASE_CORRUPT]
        assert config.terminal.kiosk_id in find(window, "out-of-service-kiosk").text()
        assert "database-corrupt" in find(window, "out-of-service-keys").text()
        qtbot.wait(600)  # retried and still damaged: the same screen, nothing recreated over the evidence
        assert host.terminal is None and len(path.read_bytes()) < len(good)
        path.write_bytes(good)  # the technician restores the database
        qtbot.waitUntil(lambda: host.terminal is not None, timeout=10000)
        main = host.window
        qtbot.waitUntil(lambda: main.isVisible() and not (isValid(window) and window.isVisible()), timeout=5000)
        tap(qtbot, main, "start")
        wait_state(qtbot, main, State.MENU)
        events = [(e["condition"], e["change"]) for e in ServiceJournal(config.data_dir).read()["events"]]
        assert events == [("database-corrupt", "raised"), ("database-corrupt", "cleared")]
    finally:
        _close(host)


def test_no_usable_catalog_shows_the_screen_until_one_arrives(qtbot, district, tmp_path, monkeypatch):
    import functools

    import kiosk.assembly
    from kiosk.catalog.source import SHIPPED_CATALOG, CatalogSource

    # The shipped catalog damaged too (a bad image), and the override is garbage: nothing to serve.
    broken_shipped = tmp_path / "shipped.json"
    broken_shipped.write_text("{", encoding="utf-8")
    monkeypatch.setattr(kiosk.assembly, "CatalogSource", functools.partial(CatalogSource, shipped=broken_shipped))
    override = tmp_path / "catalog.json"
    override.write_text("[]", encoding="utf-8")
    config = shell_config(tmp_path / "kiosk", district.url, catalog={"path": str(override)},
                          service={"check_interval_s": 0.2})
    enroll_if_reachable(config)
    host = _host(qtbot, config)
    try:
        assert host.terminal is None and host.window.conditions == [Condition.CATALOG_UNUSABLE]
        override.write_bytes(SHIPPED_CATALOG.read_bytes())  # a valid catalog is put in place
        qtbot.waitUntil(lambda: host.terminal is not None, timeout=10000)
        tap(qtbot, host.window, "start")
        wait_state(qtbot, host.window, State.MENU)
    finally:
        _close(host)


def test_the_revoked_and_the_start_up_screens_are_one_screen(qtbot, open_shell, district, tmp_path):
    from kiosk.ui.out_of_service import OutOfServiceScreen

    config = shell_config(tmp_path / "kiosk", district.url)
    window = open_shell(config)
    assert isinstance(window.out_of_service, OutOfServiceScreen)
    host_config = dataclasses.replace(config, devices=dataclasses.replace(config.devices, document_reader="pcsc"))
    host = _host(qtbot, host_config)  # unsafe configuration: the start-up screen
    assert isinstance(host.window.screen_, OutOfServiceScreen)
    assert host.window.conditions and set(host.window.conditions) == {Condition.CONFIG_UNSAFE}
    _close(host)
