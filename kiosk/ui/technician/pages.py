"""The technicians' screens: devices, checks, camera, reader, printer queue, network and sync, logs, readiness.

Each page asks the technicians' mode for its facts through the Relay (never on the GUI thread) when it is shown,
and stops any live view when it is hidden. Texts the devices give (status ids, CUPS reasons, ATRs) are shown as
they are: they are what a technician quotes on the phone.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from functools import partial
from typing import Any

from PySide6.QtCore import QRect, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kiosk.devices.health import Level
from kiosk.diagnostics.runner import DEVICES, CheckRun
from kiosk.terminal.technician_mode import CameraFrame, NetworkView
from kiosk.ui.technician.look import cell, health_label
from kiosk.ui.technician.relay import Relay
from kiosk.ui.text import tr
from kiosk.ui.widgets import button, label

LEVELS = ("internal", "external", "interactive")
# What the technician is asked after an external check, per device (the interactive level).
OBSERVATIONS = {
    "printer": "Page printed legibly",
    "receipt": "Receipt printed legibly and its QR code scans",
    "voice": "Sound audible",
    "camera": "Image sharp, face box on the face",
    "reader": "Card read as expected",
}


def _grid_page() -> tuple[QScrollArea, QGridLayout]:
    box = QWidget()
    grid = QGridLayout(box)
    # the rows' own heights, scrolling beyond: never squeezed to fit the page (which clips their text)
    grid.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
    grid.setSpacing(0)
    grid.setContentsMargins(0, 0, 0, 0)
    scroll = QScrollArea()
    scroll.setWidget(box)
    scroll.setWidgetResizable(True)
    return scroll, grid


def _clear(grid: QGridLayout) -> None:
    while grid.count():
        item = grid.takeAt(0)
        if item.widget():
            item.widget().hide()
            item.widget().deleteLater()


def _error_text(result: Any) -> str | None:
    return f"{type(result).__name__}: {result}" if isinstance(result, Exception) else None


class Page(QWidget):
    title = ""

    def __init__(self, relay: Relay, mode: Any, language: str) -> None:
        super().__init__()
        self.relay = relay
        self.mode = mode
        self.language = language
        self.lay = QVBoxLayout(self)
        self.lay.setContentsMargins(24, 16, 24, 16)
        self.lay.setSpacing(12)
        self.heading = label(tr(self.title), "title")
        self.lay.addWidget(self.heading)
        self.problem = label("", "error")
        self.problem.setProperty("testid", "technician-problem")
        self.problem.hide()
        self.lay.addWidget(self.problem)

    def activate(self) -> None:
        """Shown: fetch the facts."""

    def deactivate(self) -> None:
        """Hidden: stop live views."""

    def show_problem(self, text: str | None) -> None:
        self.problem.setText(text or "")
        self.problem.setVisible(bool(text))

    def fix(self, run: CheckRun) -> str:
        return run.status.fix_en if self.language == "en" else run.status.fix_zh


class DevicesPage(Page):
    """Every device: its state now (internal checks, recorded) and the last result of each level."""

    title = "Devices"

    def __init__(self, relay: Relay, mode: Any, language: str) -> None:
        super().__init__(relay, mode, language)
        self.refresh = button(tr("Check all again"), self.activate, "primary", "technician-devices-refresh")
        self.lay.addWidget(self.refresh)
        scroll, self.grid = _grid_page()
        self.lay.addWidget(scroll, 1)
        self.runs: list[CheckRun] = []

    def activate(self) -> None:
        self.refresh.setEnabled(False)
        self.relay.call(self._gather, then=self._show)

    def _gather(self) -> tuple[list[CheckRun], dict]:
        return self.mode.run_checks(Level.INTERNAL), self.mode.latest()

    def _show(self, result: Any) -> None:
        self.refresh.setEnabled(True)
        self.show_problem(_error_text(result))
        if isinstance(result, Exception):
            return
        self.runs, latest = result
        _clear(self.grid)
        # "Now" is the internal check just run (and recorded): the last internal result is that one
        heads = [tr("Device"), tr("Now"), tr("What the kiosk saw"), tr("Last external"), tr("Last interactive")]
        for c, text in enumerate(heads):
            self.grid.addWidget(cell(text, "head", 14), 0, c)
        for r, run in enumerate(self.runs, start=1):
            s = run.status
            self.grid.addWidget(cell(s.device), r, 0)
            now = health_label(s.health.value, f"{s.health.value}\n{s.status_id}\n{s.state.value} {s.power.value}",
                               18)
            now.setProperty("testid", f"device-health-{s.device}")
            self.grid.addWidget(now, r, 1)
            saw = s.text if s.health.value == "pass" else f"{s.text}\n→ {self.fix(run)}"
            self.grid.addWidget(cell(saw, width=28), r, 2)
            for c, level in enumerate(LEVELS[1:], start=3):
                record = latest.get(s.device, {}).get(level)
                if record is None:
                    self.grid.addWidget(cell(tr("no test on record"), "muted", 12), r, c)
                else:
                    at = record.recorded_at.replace("T", " ")[5:16]
                    self.grid.addWidget(health_label(record.health, f"{record.health} {at}\n{record.status_id}", 16),
                                        r, c)
        self.grid.setColumnStretch(2, 1)
        self.grid.setRowStretch(len(self.runs) + 1, 1)


class ChecksPage(Page):
    """Run any check of any device; after an external check the technician confirms what they saw or heard."""

    title = "Run a check"
    finished = Signal(object)

    def __init__(self, relay: Relay, mode: Any, language: str) -> None:
        super().__init__(relay, mode, language)
        self.device = "printer"
        row = QGridLayout()
        row.setSpacing(8)
        self.group = QButtonGroup(self)
        for n, name in enumerate(DEVICES):
            b = button(name, lambda d=name: self._choose(d), "nav", f"check-device-{name}")
            b.setCheckable(True)
            b.setChecked(name == self.device)
            self.group.addButton(b)
            row.addWidget(b, n // 5, n % 5)
        self.lay.addLayout(row)
        levels = QHBoxLayout()
        self.internal = button(tr("Internal check"), lambda: self._run(Level.INTERNAL), "", "check-internal")
        self.external = button(tr("External check"), lambda: self._run(Level.EXTERNAL), "primary", "check-external")
        levels.addWidget(self.internal)
        levels.addWidget(self.external)
        self.lay.addLayout(levels)
        self.result = label("", "fact")
        self.result.setProperty("testid", "check-result")
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.lay.addWidget(self.result)
        self.question = label("", "subtitle")
        self.yes = button(tr("Yes"), lambda: self._confirm(True), "primary", "check-confirm-yes")
        self.no = button(tr("No"), lambda: self._confirm(False), "danger", "check-confirm-no")
        answer = QHBoxLayout()
        answer.addWidget(self.yes)
        answer.addWidget(self.no)
        self.lay.addWidget(self.question)
        self.lay.addLayout(answer)
        self.lay.addStretch(1)
        self._ask(False)

    def _ask(self, on: bool) -> None:
        for w in (self.question, self.yes, self.no):
            w.setVisible(on)

    def _choose(self, device: str) -> None:
        self.device = device
        self.result.setText("")
        self._ask(False)

    def _run(self, level: Level) -> None:
        self.internal.setEnabled(False)
        self.external.setEnabled(False)
        self._ask(False)
        self.result.setText(tr("Checking %1…").replace("%1", self.device))
        self.relay.call(self.mode.run_checks, level, [self.device], then=self._done)

    def _done(self, result: Any) -> None:
        self.internal.setEnabled(True)
        self.external.setEnabled(True)
        self.show_problem(_error_text(result))
        if isinstance(result, Exception):
            return
        (run,) = result
        self.show_run(run)
        observation = OBSERVATIONS.get(run.status.device)
        if run.level is Level.EXTERNAL and observation and run.status.health.value != "fail":
            self.question.setText(tr(observation) + "?")
            self._ask(True)
        self.finished.emit(run)

    def show_run(self, run: CheckRun) -> None:
        s = run.status
        lines = [f"{s.device} · {run.level.value} · {s.health.value.upper()} · {s.status_id}", s.text]
        if s.health.value != "pass":
            lines.append("→ " + self.fix(run))
        self.result.setText("\n".join(lines))
        self.result.setProperty("health", s.health.value)

    def _confirm(self, ok: bool) -> None:
        self._ask(False)
        observation = OBSERVATIONS[self.device]
        self.relay.call(self.mode.confirm, self.device, ok, observation if ok else f"not: {observation}",
                        then=self._done_confirm)

    def _done_confirm(self, result: Any) -> None:
        self.show_problem(_error_text(result))
        if not isinstance(result, Exception):
            self.show_run(result)
            self.finished.emit(result)


class CameraPage(Page):
    """The terminal's camera live, with the face box the face check's detector finds and the frame rate."""

    title = "Camera"
    frame = Signal(object)
    stopped = Signal(str)
    lost = Signal()

    def __init__(self, relay: Relay, mode: Any, language: str) -> None:
        super().__init__(relay, mode, language)
        self.fps = label("", "fact")
        self.fps.setProperty("testid", "camera-fps")
        self.view = QLabel()
        self.view.setProperty("testid", "camera-view")
        self.view.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.view.setMinimumSize(640, 480)
        self.lay.addWidget(self.fps)
        self.lay.addWidget(self.view, 1)
        self._stop = threading.Event()
        self.frames = 0
        self.last_box: tuple[int, int, int, int] | None = None
        self.frame.connect(self._show_frame)
        self.stopped.connect(self._on_stopped)
        self.lost.connect(self._on_lost)

    def activate(self) -> None:
        self._stop.set()  # a stream still running ends: its event would otherwise be lost with it
        self._stop = threading.Event()
        stop = self._stop
        self.frames = 0
        self.fps.setText(tr("Opening the camera…"))
        self.relay.call(partial(self.mode.camera_view, on_lost=self.lost.emit), stop, self.frame.emit,
                        then=lambda why: self.stopped.emit(why if isinstance(why, str) else _error_text(why) or ""))

    def deactivate(self) -> None:
        self._stop.set()

    def _on_stopped(self, why: str) -> None:
        if why == "no-camera":
            self.fps.setText(tr("No camera is fitted on this terminal (the face check is simulated)."))
        elif why == "unavailable":
            self.fps.setText(tr("The camera is not available: it may be unplugged or failing."))
        elif why != "stopped":
            self.show_problem(why)

    def _on_lost(self) -> None:
        if self._stop.is_set():
            return
        self.view.clear()  # the last frame must not pass for a live picture
        self.fps.setText(tr("The camera stopped delivering pictures: it may be unplugged or failing. "
                            "The picture comes back here as soon as the camera does."))

    def _show_frame(self, frame: CameraFrame) -> None:
        if self._stop.is_set():
            return
        self.frames += 1
        self.last_box = frame.face_box
        h, w = frame.rgb.shape[:2]
        image = QImage(frame.rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
        if frame.face_box is not None:
            painter = QPainter(image)
            painter.setPen(QPen(QColor("#00e676"), max(3, w // 160)))
            left, top, right, bottom = frame.face_box
            painter.drawRect(QRect(left, top, right - left, bottom - top))
            painter.end()
        self.view.setPixmap(QPixmap.fromImage(image).scaled(self.view.size(), Qt.AspectRatioMode.KeepAspectRatio))
        face = tr("face found") if frame.face_box is not None else tr("no face")
        self.fps.setText(f"{frame.fps:.1f} " + tr("frames/s") + f" · {w}×{h} · {face}")


class ReaderPage(Page):
    """The document reader: its name, a card present or not, the card's ATR; refreshed every second."""

    title = "Document reader"

    def __init__(self, relay: Relay, mode: Any, language: str) -> None:
        super().__init__(relay, mode, language)
        self.facts = label("", "fact")
        self.facts.setProperty("testid", "reader-facts")
        self.lay.addWidget(self.facts)
        self.lay.addStretch(1)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._poll)
        self._busy = False
        self.last: CheckRun | None = None

    def activate(self) -> None:
        self._poll()
        self._timer.start(1000)

    def deactivate(self) -> None:
        self._timer.stop()

    def _poll(self) -> None:
        if not self._busy:
            self._busy = True
            self.relay.call(self.mode.reader, then=self._show)

    def _show(self, result: Any) -> None:
        self._busy = False
        self.show_problem(_error_text(result))
        if isinstance(result, Exception):
            return
        self.last = result
        s = result.status
        card = s.media.get("card")
        present = {"in": tr("yes"), "out": tr("no")}.get(card.value if card else "", tr("unknown"))
        if s.status_id in ("RDR-CARD-PRESENT", "RDR-CARD-MUTE"):
            present = tr("yes")
        lines = [f"{tr('Health')}: {s.health.value} · {s.status_id}", f"{tr('Reader')}: {s.text}",
                 f"{tr('Card present')}: {present}", f"ATR: {s.facts.get('atr') or '—'}"]
        if s.health.value != "pass":
            lines.append("→ " + self.fix(result))
        self.facts.setText("\n".join(lines))


class PrinterPage(Page):
    """The A4 queue: its state and reasons, each unfinished job with its reasons; cancel, resume, purge."""

    title = "Printer queue"

    def __init__(self, relay: Relay, mode: Any, language: str) -> None:
        super().__init__(relay, mode, language)
        self.summary = label("", "fact")
        self.summary.setProperty("testid", "printer-summary")
        actions = QHBoxLayout()
        self.resume = button(tr("Resume the queue"), lambda: self._act("resume"), "primary", "queue-resume")
        self.purge = button(tr("Purge every job"), lambda: self._act("purge"), "danger", "queue-purge")
        actions.addWidget(self.resume)
        actions.addWidget(self.purge)
        self.lay.addWidget(self.summary)
        self.lay.addLayout(actions)
        scroll, self.grid = _grid_page()
        self.lay.addWidget(scroll, 1)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._poll)
        self._busy = False
        self.view: Any = None

    def activate(self) -> None:
        self._poll()
        self._timer.start(2000)

    def deactivate(self) -> None:
        self._timer.stop()

    def _poll(self) -> None:
        if self._busy:
            return
        queue = self.mode.printer_queue()
        if queue is None:
            self.summary.setText(tr("The A4 printer writes PDF files to a folder (demo): there is no queue."))
            for b in (self.resume, self.purge):
                b.hide()
            return
        self._busy = True
        self.relay.call(queue.view, then=self._show)

    def _act(self, action: str, job_id: int | None = None) -> None:
        self._busy = True
        self.relay.call(self.mode.queue_action, action, job_id, then=self._show)

    def _show(self, view: Any) -> None:
        self._busy = False
        self.show_problem(_error_text(view))
        if isinstance(view, Exception):
            return
        self.view = view
        reasons = ", ".join(view.reasons) or "none"
        accepting = tr("accepting jobs") if view.accepting else tr("rejecting jobs")
        self.summary.setText(f"{tr('Queue')} {view.queue}: {view.state}, {accepting}\n"
                             f"{tr('Reasons')}: {reasons}" + (f"\n{view.message}" if view.message else ""))
        _clear(self.grid)
        for c, text in enumerate((tr("Job"), tr("State"), tr("Reasons"), "")):
            self.grid.addWidget(cell(text, "head"), 0, c)
        for r, job in enumerate(view.jobs, start=1):
            self.grid.addWidget(cell(str(job.id)), r, 0)
            self.grid.addWidget(cell(job.state), r, 1)
            self.grid.addWidget(cell(", ".join(job.reasons) + (f"\n{job.message}" if job.message else "")), r, 2)
            self.grid.addWidget(button(tr("Cancel job"), lambda j=job.id: self._act("cancel", j), "danger",
                                       f"queue-cancel-{job.id}"), r, 3)
        if not view.jobs:
            self.grid.addWidget(cell(tr("No unfinished job."), "muted"), 1, 0, 1, 4)
        self.grid.setColumnStretch(2, 1)
        self.grid.setRowStretch(len(view.jobs) + 2, 1)


class NetworkPage(Page):
    """The district link and the sync daemon: reachable, backlog, dead letters, the catalog in use."""

    title = "Network and sync"

    def __init__(self, relay: Relay, mode: Any, language: str) -> None:
        super().__init__(relay, mode, language)
        self.refresh = button(tr("Check again"), self.activate, "primary", "network-refresh")
        self.facts = label("", "fact")
        self.facts.setProperty("testid", "network-facts")
        self.lay.addWidget(self.refresh)
        self.lay.addWidget(self.facts)
        self.lay.addStretch(1)
        self.last: NetworkView | None = None

    def activate(self) -> None:
        self.refresh.setEnabled(False)
        self.relay.call(self.mode.network, then=self._show)

    def _show(self, result: Any) -> None:
        self.refresh.setEnabled(True)
        self.show_problem(_error_text(result))
        if isinstance(result, Exception):
            return
        self.last = result
        d = result.district.status
        reachable = tr("reachable") if d.health.value == "pass" else tr("NOT reachable")
        catalog = result.catalog
        last = result.last_catalog
        lines = [f"{tr('District')}: {reachable} · {d.status_id} · {d.text}",
                 f"{tr('Link')}: {result.link}",
                 f"{tr('Waiting to be sent')}: {result.backlog}",
                 f"{tr('Dead letters')}: {result.dead_letters}",
                 f"{tr('Last successful sync')}: {result.last_success or '—'}",
                 f"{tr('Last error')}: {result.last_error or '—'}",
                 f"{tr('Catalog in use')}: {catalog.get('source')} v{catalog.get('version')}"
                 + (f" ({tr('fallback')}: {catalog.get('fallback')})" if catalog.get("fallback") else ""),
                 f"{tr('Last catalog from the district')}: " + (json.dumps(last, ensure_ascii=False)[:300]
                                                                if last else "—")]
        if d.health.value != "pass":
            lines.append("→ " + self.fix(result.district))
        self.facts.setText("\n".join(lines))


class LogsPage(Page):
    """The event log of the last hour, newest first, as written (masked when written)."""

    title = "Logs of the last hour"

    def __init__(self, relay: Relay, mode: Any, language: str) -> None:
        super().__init__(relay, mode, language)
        self.refresh = button(tr("Reload"), self.activate, "primary", "logs-refresh")
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setProperty("testid", "logs-text")
        self.lay.addWidget(self.refresh)
        self.lay.addWidget(self.text, 1)
        self.entries: list[dict] = []

    def activate(self) -> None:
        self.relay.call(self.mode.recent_logs, then=self._show)

    def _show(self, result: Any) -> None:
        self.show_problem(_error_text(result))
        if isinstance(result, Exception):
            return
        self.entries = result
        lines = []
        for entry in result:
            at = dt.datetime.fromtimestamp(float(entry.get("ts") or 0)).strftime("%H:%M:%S")
            rest = {k: v for k, v in entry.items() if k not in ("ts", "event", "kind", "component")}
            lines.append(f"{at}  {entry.get('event', '?')}  {json.dumps(rest, ensure_ascii=False)[:400]}")
        self.text.setPlainText("\n".join(lines) if lines else tr("Nothing logged in the last hour."))


class ReportPage(Page):
    """The readiness report: made from fresh internal checks, shown, and printed on the A4 printer."""

    title = "Readiness report"

    def __init__(self, relay: Relay, mode: Any, language: str) -> None:
        super().__init__(relay, mode, language)
        buttons = QHBoxLayout()
        self.make = button(tr("Make the report"), self.activate, "", "report-make")
        self.print_ = button(tr("Print the report"), self._print, "primary", "report-print")
        buttons.addWidget(self.make)
        buttons.addWidget(self.print_)
        self.summary = label("", "fact")
        self.summary.setProperty("testid", "report-summary")
        self.outcome = label("", "notice")
        self.outcome.setProperty("testid", "report-outcome")
        self.outcome.hide()
        self.lay.addLayout(buttons)
        self.lay.addWidget(self.outcome)
        self.lay.addWidget(self.summary)
        self.lay.addStretch(1)
        self.readiness: Any = None

    def activate(self) -> None:
        self.make.setEnabled(False)
        self.relay.call(self.mode.readiness, then=self._show)

    def _show(self, result: Any) -> None:
        self.make.setEnabled(True)
        self.show_problem(_error_text(result))
        if isinstance(result, Exception):
            return
        self.readiness, _pdf = result
        r = self.readiness
        devices = ", ".join(f"{run.status.device} {run.status.health.value}" for run in r.current)
        free = f"{r.free_disk_bytes / 1e9:.1f} GB" if r.free_disk_bytes is not None else "—"
        self.summary.setText("\n".join([
            f"{tr('Kiosk')}: {r.kiosk_id} · {tr('generated')} {r.generated_at}",
            f"{tr('Software')}: {r.software_version} · {tr('catalog')} {r.catalog}",
            f"{tr('Configuration')} SHA-256: {r.config_sha256[:32]}…",
            f"{tr('Devices')}: {devices}",
            f"{tr('Free disk')}: {free} · {tr('last sync')}: {r.last_sync or '—'} · "
            f"{tr('backlog')}: {r.sync_backlog}"]))

    def _print(self) -> None:
        self.print_.setEnabled(False)
        self.outcome.hide()
        self.relay.call(self.mode.print_readiness, then=self._printed)

    def _printed(self, result: Any) -> None:
        self.print_.setEnabled(True)
        self.show_problem(_error_text(result))
        if not isinstance(result, Exception):
            self.outcome.setText(tr("Readiness report sent to the printer (job %1).").replace("%1", str(result)))
            self.outcome.show()
