"""The technicians' mode: who may enter, when the terminal leaves citizens' service, what a technician can do.

Entering takes the per-kiosk PIN (kiosk.technician_pin: slow hash, lockout). An accepted PIN never cuts a citizen
off: during a session the mode is PENDING (no new session starts, the current one runs to its end or its
inactivity timeout), then ACTIVE. While the mode is not OFF the terminal is out of service for citizens, with a
kind sentence. Leaving runs every internal check and returns to service only when the devices the catalog needs
are healthy; otherwise the technician sees which and why, and may stay or leave the terminal out of service.

Every entry, exit, refused PIN and lockout is an event in the event log and in `<data>/technician-events.json`,
whose recent entries the shell puts in devices.json, which the sync daemon sends with every heartbeat.

Nothing here touches Qt. Methods block (checks print test pages, the PIN hash takes tens of ms): the shell calls
them through `submit`, which runs them on this mode's own worker thread.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from contract.atomic_write import write_atomic
from contract.eventlog import EventLog
from contract.log_events import Event
from kiosk.config import Config
from kiosk.devices.bundle import Devices
from kiosk.devices.health import Health, Level
from kiosk.diagnostics.live import face_finder, printer_queue
from kiosk.diagnostics.runner import DEVICES, CheckRun, build_check, record_runs, run_check, software_version
from kiosk.diagnostics.runner import confirm as record_confirmation
from kiosk.store.diagnostics import CheckRecord, DiagnosticsRecords
from kiosk.technician_pin import PinCheck, PinVerdict, TechnicianPin

EVENTS_FILE = "technician-events.json"
KEEP_EVENTS = 50  # the heartbeat carries these; older ones are in the event log
TECHNICIAN = "out_of_service.technician"
DETECT_EVERY_S = 0.25  # the camera view's face box: HOG on a half-size frame takes ~12-45 ms per frame


class ModeState(str, Enum):
    OFF = "off"
    PENDING = "pending"  # PIN accepted, waiting for the citizen's session to end
    ACTIVE = "active"


@dataclass(frozen=True)
class LeaveOutcome:
    returned: bool  # back in service for citizens
    runs: list[CheckRun]
    failing: list[CheckRun]  # the needed devices that are not healthy


@dataclass(frozen=True)
class NetworkView:
    district: CheckRun
    backlog: int
    dead_letters: int
    last_success: str | None
    last_error: str | None
    link: str
    catalog: dict[str, Any]  # the terminal's active catalog: source, version, fallback
    last_catalog: dict[str, Any]  # what the daemon last applied or refused


@dataclass(frozen=True)
class CameraFrame:
    rgb: Any  # H x W x 3 uint8, RGB
    face_box: tuple[int, int, int, int] | None  # left, top, right, bottom in frame pixels
    fps: float


class TechnicianEvents:
    """The recent technicians' events, newest last, in `<data>/technician-events.json` (heartbeat material)."""

    def __init__(self, data_dir: Path, keep: int = KEEP_EVENTS) -> None:
        self._path = Path(data_dir) / EVENTS_FILE
        self._keep = keep
        self._lock = threading.Lock()

    def add(self, kind: str, at: dt.datetime, **detail: Any) -> None:
        with self._lock:
            events = self.recent()
            events.append({"event": kind, "at": at.isoformat(timespec="seconds"), **detail})
            write_atomic(self._path, json.dumps(events[-self._keep:]).encode(), mode=0o600)

    def recent(self) -> list[dict[str, Any]]:
        try:
            data = json.loads(self._path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        return [e for e in data if isinstance(e, dict)] if isinstance(data, list) else []


def needed_devices(config: Config, item_needs_printer: bool, item_needs_receipt: bool) -> set[str]:
    """The devices without which the catalog cannot be served: the reader always; the camera and the face
    check when fitted; the printers when some enabled item prints on them."""
    needed = {"reader", "face"}
    if config.devices.camera == "opencv" or config.simulated.camera_source:
        needed.add("camera")
    if item_needs_printer:
        needed.add("printer")
    if item_needs_receipt and config.devices.receipt_printer == "escpos":
        needed.add("receipt")
    return needed


class TechnicianMode:
    def __init__(self, config: Config, devices: Devices, engine: Engine, log: EventLog,
                 needs: Callable[[], tuple[bool, bool]], wall_clock: Callable[[], dt.datetime],
                 catalog_status: Callable[[], dict[str, Any]]) -> None:
        self.config = config
        self._devices = devices
        self._engine = engine
        self._log = log
        self._needs = needs  # (some item needs the A4 printer, some item needs the receipt printer)
        self._wall_clock = wall_clock
        self._catalog_status = catalog_status
        self.pin = TechnicianPin(config.data_dir, log=log)
        self.events = TechnicianEvents(config.data_dir)
        self.records = DiagnosticsRecords(engine)
        self._state = ModeState.OFF
        self._requested_at = 0.0
        self._entered_at = 0.0
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="technician")
        self._closing = threading.Event()  # live views end with the terminal, whatever their screen does
        self._listeners: list[Callable[[ModeState], None]] = []

    # ---- mode ---------------------------------------------------------------------------------------------------

    @property
    def state(self) -> ModeState:
        return self._state

    @property
    def out_of_service_reason(self) -> str | None:
        return TECHNICIAN if self._state is not ModeState.OFF else None

    def subscribe(self, listener: Callable[[ModeState], None]) -> None:
        self._listeners.append(listener)

    def _set(self, state: ModeState) -> None:
        self._state = state
        for listener in list(self._listeners):
            listener(state)

    def verify_pin(self, pin: str, citizen_session: bool) -> PinVerdict:
        """Check the PIN; when accepted the mode becomes ACTIVE, or PENDING while `citizen_session` runs."""
        verdict = self.pin.verify(pin)
        now = self._wall_clock()
        if verdict.outcome is PinCheck.ACCEPTED:
            with self._lock:
                self._requested_at = time.monotonic()
                if citizen_session:
                    self.events.add("entry-pending", now)
                    self._set(ModeState.PENDING)
                else:
                    self._enter(now, waited_s=0.0)
        elif verdict.outcome is not PinCheck.NOT_PROVISIONED:
            self.events.add("pin-" + verdict.outcome.value, now, failures=verdict.failures,
                            retry_after_s=round(verdict.retry_after_s, 1))
        return verdict

    def session_over(self) -> None:
        """The citizen's session ended (the terminal is back on its Attract screen): a pending entry opens."""
        with self._lock:
            if self._state is ModeState.PENDING:
                self._enter(self._wall_clock(), waited_s=time.monotonic() - self._requested_at)

    def _enter(self, now: dt.datetime, waited_s: float) -> None:
        self._entered_at = time.monotonic()
        self._log.log(Event.TECHNICIAN_MODE_ENTERED, waited_s=round(waited_s, 1))
        self._log.log(Event.DIAGNOSTICS_OPENED)
        self.events.add("entered", now, waited_s=round(waited_s, 1))
        self._set(ModeState.ACTIVE)

    def cancel_pending(self) -> None:
        """The technician gave up waiting for the session to end."""
        with self._lock:
            if self._state is ModeState.PENDING:
                self.events.add("entry-withdrawn", self._wall_clock())
                self._set(ModeState.OFF)

    def leave(self) -> LeaveOutcome:
        """Run the internal checks (recorded) and return to service when the devices the catalog needs pass."""
        runs = self.run_checks(Level.INTERNAL)
        printer, receipt = self._needs()
        needed = needed_devices(self.config, printer, receipt)
        failing = [run for run in runs if run.status.device in needed and run.status.health is Health.FAIL]
        if not failing:
            self._exit("returned-to-service", [])
        return LeaveOutcome(not failing, runs, failing)

    def leave_out_of_service(self, failing: list[CheckRun]) -> None:
        """Leave although needed devices fail: their consequences (kiosk.terminal.device_consequences) stay."""
        self._exit("left-with-faults", [run.status.status_id for run in failing])

    def _exit(self, outcome: str, faults: list[str]) -> None:
        with self._lock:
            minutes = round((time.monotonic() - self._entered_at) / 60, 1)
            self._log.log(Event.TECHNICIAN_MODE_EXITED, outcome=outcome, faults=faults, minutes=minutes)
            self.events.add("exited", self._wall_clock(), outcome=outcome, faults=faults, minutes=minutes)
            self._set(ModeState.OFF)

    def heartbeat_view(self) -> dict[str, Any]:
        """What devices.json carries for the district: the mode now and the recent events."""
        return {"mode": self._state.value, "events": self.events.recent()[-20:]}

    # ---- work on the mode's own thread ------------------------------------------------------------------------

    def submit(self, fn: Callable[..., Any], *args: Any, on_done: Callable[[Any], None]) -> None:
        """Run `fn(*args)` off the caller's thread; `on_done(result)` (an Exception when it raised) is called on
        the worker thread."""
        def run() -> None:
            try:
                result = fn(*args)
            except Exception as exc:  # noqa: BLE001 - the screen shows what went wrong
                self._log.log(Event.UNEXPECTED_ERROR, where=f"technician.{getattr(fn, '__name__', 'call')}",
                              error=f"{type(exc).__name__}: {exc}")
                result = exc
            on_done(result)

        try:
            self._executor.submit(run)
        except RuntimeError:  # shut down
            pass

    def close(self) -> None:
        """Stop the live views and the mode's work. The interpreter joins the mode's threads before the process
        exits, so a camera view left running would keep a stopped shell alive until systemd's SIGKILL."""
        self._closing.set()
        self._executor.shutdown(wait=False, cancel_futures=True)

    # ---- checks ---------------------------------------------------------------------------------------------------

    def run_checks(self, level: Level, devices: list[str] | None = None) -> list[CheckRun]:
        """Run and record the checks of `devices` (all when None) at `level`."""
        wanted = devices or list(DEVICES)
        runs = [run_check(build_check(self.config, name), level) for name in DEVICES if name in wanted]
        record_runs(self.records, runs, software_version())
        for run in runs:
            self._log.log(Event.DIAGNOSTICS_RESULT, device=run.status.device, level=level.value,
                          health=run.status.health.value, status_id=run.status.status_id)
        return runs

    def confirm(self, device: str, confirmed: bool, observation: str) -> CheckRun:
        """Record the technician's answer to an interactive check ("page printed legibly", "sound audible")."""
        run = record_confirmation(self.records, device, confirmed, observation, software_version())
        self._log.log(Event.DIAGNOSTICS_RESULT, device=device, level="interactive", health=run.status.health.value,
                      status_id=run.status.status_id)
        return run

    def latest(self) -> dict[str, dict[str, CheckRecord]]:
        return self.records.latest()

    # ---- the reader, the camera, the printer queue -------------------------------------------------------------

    def reader(self) -> CheckRun:
        """The reader's internal status now: reader name, card present, ATR (not recorded: a live view)."""
        return run_check(build_check(self.config, "reader"), Level.INTERNAL)

    def camera_view(self, stop: threading.Event, on_frame: Callable[[CameraFrame], None],
                    find_face: Callable[[Any], tuple[int, int, int, int] | None] | None = None,
                    on_lost: Callable[[], None] = lambda: None) -> str:
        """Stream the terminal's camera to `on_frame` until `stop` is set; frames stay in memory. Returns why it
        stopped ("stopped", "no-camera", "unavailable": it could not be opened).

        A camera that stops delivering while shown (unplugged, a driver error) is reported once to `on_lost` and
        waited for: the device worker reopens it, and the frames resume on the same screen as soon as it is
        back, which is what the technician plugging it in again wants to see."""
        from kiosk.devices.camera import CameraState
        from kiosk.errors import CameraUnavailable

        camera = self._devices.camera
        if camera is None:
            return "no-camera"
        detect = find_face or face_finder()
        try:
            camera.open()
        except CameraUnavailable:
            return "unavailable"
        times: list[float] = []
        box: tuple[int, int, int, int] | None = None
        detected_at = float("-inf")
        lost = False
        try:
            while not stop.is_set() and not self._closing.is_set():
                frame = camera.read()
                if frame is None:
                    if camera.state is CameraState.UNAVAILABLE and not lost:
                        lost = True
                        on_lost()
                    stop.wait(0.01)
                    continue
                lost = False
                now = time.monotonic()
                times = [t for t in times if now - t <= 1.0] + [now]
                fps = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 and times[-1] > times[0] else 0.0
                rgb = frame[:, :, ::-1].copy()
                if now - detected_at >= DETECT_EVERY_S:  # the detector is slower than the camera: not every frame
                    box, detected_at = detect(rgb), now
                on_frame(CameraFrame(rgb, box, round(fps, 1)))
        finally:
            camera.close()
        return "stopped"

    def printer_queue(self) -> Any:
        """The A4 queue (kiosk.devices.printer.cups_queue.CupsQueue), or None when the printer is not CUPS."""
        return printer_queue(self.config)

    def queue_action(self, action: str, job_id: int | None = None) -> Any:
        """cancel (one job) / resume / purge on the A4 queue; logged. Returns the queue's view afterwards."""
        queue = self.printer_queue()
        if queue is None:
            raise ValueError("the A4 printer is not a CUPS queue")
        if action == "cancel" and job_id is not None:
            queue.cancel(job_id)
        elif action == "resume":
            queue.resume()
        elif action == "purge":
            queue.purge()
        else:
            raise ValueError(f"unknown queue action {action!r}")
        self._log.log(Event.TECHNICIAN_QUEUE_ACTION, action=action, job=job_id, queue=queue.queue)
        return queue.view()

    # ---- network and sync, logs, readiness --------------------------------------------------------------------

    def network(self) -> NetworkView:
        from kiosk.store.outbox import Outbox

        district = run_check(build_check(self.config, "district"), Level.INTERNAL)
        status = Outbox(self._engine).status()
        return NetworkView(district, int(status.get("pending") or 0), int(status.get("dead_letter") or 0),
                           status.get("last_success"), status.get("last_error"), str(status.get("link") or "unknown"),
                           self._catalog_status(), dict(status.get("catalog") or {}))

    def recent_logs(self, within_s: float = 3600.0, limit: int = 400) -> list[dict[str, Any]]:
        """The event log's entries of the last hour, newest first. The log is written masked (no ID numbers, no
        names): this shows it as written."""
        path = self.config.data_dir / "logs" / "kiosk.jsonl"
        cutoff = self._wall_clock().timestamp() - within_s
        entries: list[dict[str, Any]] = []
        try:
            with path.open(encoding="utf-8", errors="replace") as f:
                for line in f:
                    try:
                        entry = json.loads(line)
                    except ValueError:
                        continue
                    if isinstance(entry, dict) and float(entry.get("ts") or 0) >= cutoff:
                        entries.append(entry)
        except OSError:
            return []
        return entries[::-1][:limit]

    def readiness(self) -> tuple[Any, bytes]:
        """Run the internal checks (recorded) and gather and render the readiness report: (Readiness, PDF)."""
        from kiosk.diagnostics.readiness import gather
        from kiosk.diagnostics.report_pdf import render_readiness_pdf

        runs = self.run_checks(Level.INTERNAL)
        readiness = gather(self.config, self._engine, runs, software_version(), self._wall_clock())
        return readiness, render_readiness_pdf(readiness)

    def print_readiness(self) -> str:
        """Print a fresh readiness report on the A4 printer; returns the printer's job id."""
        from kiosk.documents.printable import PrintableDocument

        _, pdf = self.readiness()
        outcome = self._devices.printer.print_document(PrintableDocument("form", "Readiness report 就绪报告", pdf))
        self._log.log(Event.TECHNICIAN_REPORT_PRINTED, bytes=len(pdf), job=outcome.job_id)
        return outcome.job_id
