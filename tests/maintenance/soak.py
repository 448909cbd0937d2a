"""A soak: many simulated citizen sessions through the real terminal and the real shell (Qt offscreen), with the
real sync daemon delivering to a district server in its own process. Used by the short test (a hundred
sessions) and by bench/bench_soak.py (two thousand).

Each session taps the shell's own buttons: Start, a certificate, Next, Confirm, Finish, as a citizen would,
and waits (Qt's event loop running) for the screen of each step. After a warm-up, this process's RSS, threads
and open file descriptors are measured; at the end again, after the daemon drained the outbox. "Half-settled"
rows are what a crash or a leak in the outbox would leave: a transaction without its outbox row, a row still
pending after the final drain, a delivered row without its delivery time, or a district that holds a
different number of this kiosk's transactions.
"""

from __future__ import annotations

import gc
import os
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
ITEM = "si-contribution-record"


@dataclass(frozen=True)
class SoakResult:
    sessions: int
    warmup: int
    seconds: float
    rss_start_mb: float
    rss_end_mb: float
    threads_start: int
    threads_end: int
    fds_start: int
    fds_end: int
    transactions: int
    half_settled: int
    district_transactions: int
    new_fds: list[str]  # what the open descriptors that appeared after warm-up point at (sockets, files)
    fd_samples: list[int]  # open descriptors after each tenth of the measured sessions
    new_threads: list[str]  # names of threads alive at the end that were not after warm-up

    @property
    def fd_growth_second_half(self) -> int:
        half = self.fd_samples[len(self.fd_samples) // 2 - 1] if len(self.fd_samples) >= 2 else self.fds_start
        return self.fds_end - half

    @property
    def rss_growth_mb(self) -> float:
        return self.rss_end_mb - self.rss_start_mb

    @property
    def ms_per_session(self) -> float:
        return self.seconds * 1000 / max(1, self.sessions - self.warmup)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def threads() -> int:
    return len(os.listdir("/proc/self/task"))


def fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def fd_targets() -> list[str]:
    names = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            names.append(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:
            continue  # closed meanwhile
    return sorted(names)


def _settle_measure() -> tuple[float, int, list[str]]:
    """RSS, threads and the open descriptors' targets. The daemon thread writes its status file now and then:
    the fewest descriptors of several looks is the steady count, not one caught in the middle of a write."""
    gc.collect()
    looks = []
    for _ in range(8):
        looks.append(fd_targets())
        time.sleep(0.05)
    return rss_mb(), threads(), min(looks, key=len)


def run_soak(folder: Path, sessions: int, warmup: int, timeout_per_step_s: float = 60.0) -> SoakResult:
    """Drive `sessions` sessions; measure after `warmup` of them and at the end. `folder` holds everything."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QPushButton, QWidget
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from contract.eventlog import NullEventLog
    from kiosk.assembly import assemble
    from kiosk.config import load_config
    from kiosk.core.session import State
    from kiosk.link.enrollment import enroll
    from kiosk.store.models import OutboxRow, TransactionRow
    from kiosk.ui.app import build_window, make_application
    from sync.daemon import SyncDaemon

    district = SoakDistrict(folder).start()
    config = load_config(None, {
        "terminal": {"data_dir": str(folder / "kiosk"), "district_url": district.url, "kiosk_id": "soak-01"},
        "simulated": {"read_delay_s": 0.0, "face_delay_s": 0.0, "print_delay_s": 0.0},
        "printer": {"pdf_folder": str(folder / "paper")},
        "ui": {"voice": False}, "sync": {"interval_s": 0.5, "heartbeat_s": 5.0}})
    enroll(config.data_dir, district.url, config.terminal.kiosk_id)
    app = make_application(config)
    terminal = assemble(config, log=NullEventLog())
    terminal.start()
    window = build_window(app, terminal, windowed=True)
    buttons: dict[str, QPushButton] = {}

    def button(testid: str) -> QPushButton:
        found = buttons.get(testid)
        if found is None or not found.isVisible():
            found = next(w for w in window.findChildren(QWidget)
                         if isinstance(w, QPushButton) and w.property("testid") == testid and w.isVisible())
            buttons[testid] = found
        return found

    def wait(state: State) -> None:
        deadline = time.monotonic() + timeout_per_step_s
        while not (terminal.session.state is state and not terminal.session.busy
                   and window.stack.currentWidget() is window.screens[state]):
            if time.monotonic() > deadline:
                raise RuntimeError(f"session {terminal.session.session_id} stuck before {state.value} "
                                   f"(at {terminal.session.state.value}, {terminal.session.message_key})")
            QCoreApplication.processEvents()
            time.sleep(0.001)

    def one_session() -> None:
        button("start").click()
        wait(State.MENU)
        button(f"item-{ITEM}").click()
        wait(State.SERVICE_FORM)
        button("next").click()
        wait(State.CONFIRM)
        button("confirm").click()
        wait(State.DONE)
        button("finish").click()
        wait(State.ATTRACT)

    stop = threading.Event()
    engine = terminal._store.engine
    daemon = SyncDaemon(config, engine, NullEventLog(), known_modules=None)
    sync_thread = threading.Thread(target=daemon.run, args=(stop,), name="soak-sync", daemon=True)
    sync_thread.start()
    paper = folder / "paper"
    try:
        for _ in range(warmup):
            one_session()
        start = _settle_measure()
        threads_start = {t.name for t in threading.enumerate()}
        started = time.monotonic()
        samples: list[int] = []  # open descriptors every tenth of the run: a leak climbs, a pool levels off
        step = max(1, (sessions - warmup) // 10)
        for n in range(warmup, sessions):
            one_session()
            if (n - warmup + 1) % step == 0:
                samples.append(min(fds() for _ in range(5)))
            if n % 200 == 0 and paper.is_dir():  # the citizens took their paper: the folder is not ours
                shutil.rmtree(paper, ignore_errors=True)
        seconds = time.monotonic() - started
        deadline = time.monotonic() + 120
        while daemon.drain().outcome != "empty" and time.monotonic() < deadline:
            time.sleep(0.2)
        for _ in range(5):  # the shell's periodic work (status polls) settles
            QCoreApplication.processEvents()
            time.sleep(0.05)
        end = _settle_measure()
        new_threads = sorted({t.name for t in threading.enumerate()} - threads_start)
        with Session(engine) as s:
            transactions = s.scalar(select(func.count()).select_from(TransactionRow)) or 0
            outbox = s.scalar(select(func.count()).select_from(OutboxRow)) or 0
            unsettled = s.scalar(select(func.count()).select_from(OutboxRow).where(
                (OutboxRow.state != "delivered") | OutboxRow.delivered_at.is_(None)
                | OutboxRow.server_received_at.is_(None))) or 0
        half_settled = unsettled + abs(transactions - outbox)
        district_count = _district_transactions(folder / "district.db", config.terminal.kiosk_id)
    finally:
        stop.set()
        sync_thread.join(timeout=30)
        terminal.close()
        window.close()
        window.deleteLater()
        QCoreApplication.processEvents()
        district.stop()
    return SoakResult(sessions, warmup, seconds, start[0], end[0], start[1], end[1], len(start[2]), len(end[2]),
                      transactions, half_settled, district_count,
                      new_fds=sorted((Counter(end[2]) - Counter(start[2])).elements()), fd_samples=samples,
                      new_threads=new_threads)


class SoakDistrict:
    """tests/maintenance/soak_district.py as a child process (own GIL, own memory: not in the kiosk's RSS)."""

    def __init__(self, folder: Path) -> None:
        from tests.sync.district_process import free_port

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._cmd = [sys.executable, "-m", "tests.maintenance.soak_district", str(self.port),
                     f"sqlite:///{folder / 'district.db'}"]
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> SoakDistrict:
        from tests.sync.district_process import wait_healthy

        self.proc = subprocess.Popen(self._cmd, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_healthy(self.url, timeout_s=90.0)  # a machine under load may be slow to import the server
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _district_transactions(path: Path, kiosk_id: str) -> int:
    """How many of the kiosk's transactions the district stored (its own SQLite file, read directly)."""
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        return conn.execute("select count(*) from received_transactions where kiosk = ?", (kiosk_id,)).fetchone()[0]
    finally:
        conn.close()


def as_rows(result: SoakResult) -> list[dict[str, Any]]:
    """Bench rows (bench/run.py's format)."""
    n = result.sessions
    return [
        {"name": f"soak: RSS growth after warm-up ({n} sessions, shell+terminal)", "value": round(result.rss_growth_mb, 2),
         "unit": "MB", "target": 10, "better": "lower"},
        {"name": f"soak: thread growth ({n} sessions)", "value": result.threads_end - result.threads_start,
         "unit": "threads", "target": 0, "better": "lower"},
        {"name": f"soak: open fd growth after warm-up ({n} sessions)", "value": result.fds_end - result.fds_start,
         "unit": "fds", "target": None, "better": "lower",
         "note": f"new: {', '.join(result.new_fds) or 'none'}; samples {result.fd_samples}"},
        {"name": f"soak: open fd growth over the second half ({n} sessions)", "value": result.fd_growth_second_half,
         "unit": "fds", "target": 0, "better": "lower"},
        {"name": f"soak: rows half-settled ({n} sessions)", "value": result.half_settled, "unit": "rows",
         "target": 0, "better": "lower"},
        {"name": "soak: time per citizen session (zero device delays)", "value": round(result.ms_per_session, 1),
         "unit": "ms", "target": None, "better": "lower"},
    ]
