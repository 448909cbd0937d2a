"""The daily maintenance: its schedule, each task on real files and a real SQLite database, and the real shell
declining it during a session and refusing a session during it."""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path

from sqlalchemy import text

from contract.durable_sqlite import open_engine, sqlite_url
from contract.eventlog import EventLog, NullEventLog
from contract.log_events import Event
from kiosk.core.session import Start, State
from kiosk.store.database import migrate
from kiosk.store.upkeep import upkeep
from kiosk.terminal.log_rotation import rotate_logs
from kiosk.terminal.maintenance import MaintenanceReport, MaintenanceSchedule, TaskResult, run_tasks
from tests.shell.conftest import district, open_shell, shell_config  # noqa: F401 - fixtures
from tests.shell.drive import tap, wait_state

LOCAL = dt.timezone(dt.timedelta(hours=8))


def test_due_once_a_day_from_the_configured_hour_within_its_window(tmp_path: Path):
    schedule = MaintenanceSchedule(tmp_path, hour=3)
    assert not schedule.due(dt.datetime(2027, 1, 5, 2, 59, tzinfo=LOCAL))
    assert schedule.due(dt.datetime(2027, 1, 5, 3, 0, tzinfo=LOCAL))
    assert schedule.due(dt.datetime(2027, 1, 5, 5, 59, tzinfo=LOCAL))  # busy at three: later that night
    assert not schedule.due(dt.datetime(2027, 1, 5, 6, 0, tzinfo=LOCAL))  # not in front of the morning queue
    schedule.done(MaintenanceReport("2027-01-05", [TaskResult("x", True, 1.0)]))
    assert not schedule.due(dt.datetime(2027, 1, 5, 4, 0, tzinfo=LOCAL))
    assert schedule.due(dt.datetime(2027, 1, 6, 3, 30, tzinfo=LOCAL))


def test_a_failing_task_is_reported_and_the_others_still_run(tmp_path: Path):
    import io

    stream = io.StringIO()

    def broken() -> dict:
        raise OSError("disk gone")

    report = run_tasks("2027-01-05", [("a", lambda: {"n": 1}), ("b", broken), ("c", lambda: {})],
                       EventLog(stream=stream))
    assert [(t.name, t.ok) for t in report.tasks] == [("a", True), ("b", False), ("c", True)]
    assert not report.ok and "disk gone" in report.tasks[1].detail["error"]
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [e["event"] for e in lines] == [Event.MAINTENANCE_INIT.event_id, Event.MAINTENANCE_COMPLETE.event_id]
    assert lines[1]["outcome"] == "failed"


def test_logs_rotate_at_the_cap_keep_n_and_a_writer_follows_without_losing_a_line(tmp_path: Path):
    logs = tmp_path / "logs"
    log = EventLog(stream=None, path=logs / "kiosk.jsonl")
    for round_ in range(4):
        for n in range(50):
            log.log(Event.HEARTBEAT_SENT, backlog=round_ * 100 + n)
        rotated = rotate_logs(logs, max_bytes=1000, keep=2)
        assert [r.name for r in rotated] == ["kiosk.jsonl"]
    log.log(Event.HEARTBEAT_SENT, backlog=999)  # written after the last rotation: into a fresh file
    log.close()
    names = sorted(p.name for p in logs.iterdir())
    assert names == ["kiosk.jsonl", "kiosk.jsonl.1", "kiosk.jsonl.2"]  # the oldest went
    backlog = [[json.loads(line)["backlog"] for line in (logs / name).read_text().splitlines()]
               for name in ("kiosk.jsonl.2", "kiosk.jsonl.1", "kiosk.jsonl")]
    assert backlog == [list(range(200, 250)), list(range(300, 350)), [999]]  # every line, in order
    assert rotate_logs(logs, max_bytes=1000, keep=2) == []  # small files stay
    assert (logs / "kiosk.jsonl").stat().st_mode & 0o777 == 0o600


def test_vacuum_runs_when_enough_pages_are_free_and_not_otherwise(tmp_path: Path):
    engine = open_engine(sqlite_url(tmp_path / "kiosk.db"))
    migrate(engine)
    with engine.begin() as c:
        for n in range(400):
            c.execute(text("insert into audit_events (ts, event, detail) values ('t', 'e', :d)"),
                      {"d": json.dumps({"pad": "x" * 2000, "n": n})})
    quiet = upkeep(engine, vacuum_freelist_ratio=0.25)
    assert quiet.checkpoint_complete and not quiet.vacuumed and quiet.free_pages_before == 0
    with engine.begin() as c:
        c.execute(text("delete from audit_events where id > 40"))
    busy = upkeep(engine, vacuum_freelist_ratio=0.25)
    assert busy.vacuumed and busy.free_pages_before / busy.pages_before >= 0.25
    assert busy.pages_after < busy.pages_before / 2
    with engine.connect() as c:
        assert c.execute(text("select count(*) from audit_events")).scalar() == 40
        assert c.execute(text("PRAGMA freelist_count")).scalar() == 0
    assert (tmp_path / "kiosk.db-wal").stat().st_size == 0  # checkpointed and truncated
    engine.dispose()


def test_the_shell_runs_every_task_between_sessions_only(qtbot, open_shell, district, tmp_path: Path):
    config = shell_config(tmp_path / "kiosk", district.url, maintenance={"hour": 3, "log_max_mb": 1})
    window = open_shell(config, log=EventLog(stream=None, path=config.data_dir / "logs" / "kiosk.jsonl"))
    terminal = window.terminal
    night = dt.datetime.now().astimezone().replace(hour=3, minute=10)
    tap(qtbot, window, "start")
    wait_state(qtbot, window, State.MENU)
    assert terminal.maintain_if_due(night) is None  # a citizen is here: not now
    tap(qtbot, window, "cancel")
    wait_state(qtbot, window, State.ATTRACT)
    with open(config.data_dir / "logs" / "kiosk.jsonl", "a") as f:
        f.write(" " * (2 * 1024 * 1024) + "\n")  # a log past its cap
    report = terminal.maintain_if_due(night)
    assert report is not None and report.ok, report.as_json()
    tasks = {t.name: t.detail for t in report.tasks}
    assert set(tasks) == {"records", "spool", "logs", "catalog", "self-test", "database", "update"}
    assert tasks["update"]["requested"] is None  # no package waiting
    assert tasks["logs"]["rotated"] == ["kiosk.jsonl"]
    assert tasks["database"]["checkpoint_complete"] is True
    assert {"reader", "printer", "disk", "clock", "district"} <= set(tasks["self-test"]["checks"])
    from kiosk.store.diagnostics import DiagnosticsRecords

    assert "disk" in DiagnosticsRecords(terminal._store.engine).latest()  # recorded as history
    assert terminal.maintain_if_due(night) is None  # once a day
    assert json.loads((config.data_dir / "maintenance" / "last.json").read_text())["day"] == night.date().isoformat()


def test_a_session_cannot_start_while_the_maintenance_runs(qtbot, open_shell, district, tmp_path: Path):
    config = shell_config(tmp_path / "kiosk", district.url)
    window = open_shell(config, log=NullEventLog())
    terminal = window.terminal
    entered, release = threading.Event(), threading.Event()

    def slow_task() -> dict:
        entered.set()
        release.wait(30)
        return {}

    terminal._maintenance_tasks = lambda: [("slow", slow_task)]
    worker = threading.Thread(target=terminal.run_maintenance, args=("2027-01-05",))
    worker.start()
    try:
        assert entered.wait(10)
        terminal.dispatch(Start())
        assert terminal.session.state is State.ATTRACT and terminal.session.session_id == 0
        qtbot.waitUntil(lambda: window.out_of_service.isVisible()
                        and "maintenance" in window.out_of_service.property("conditions"), timeout=10000)
    finally:
        release.set()
        worker.join(30)
    terminal.poll_sync_status()
    qtbot.waitUntil(lambda: not window.out_of_service.isVisible(), timeout=10000)
    tap(qtbot, window, "start")
    wait_state(qtbot, window, State.MENU)
