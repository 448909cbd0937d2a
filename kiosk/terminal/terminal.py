"""The terminal: carries out the session's effects on devices, services and the store, and feeds back outcomes.

Data flows one way: device or citizen event → `Terminal.dispatch` → `session.step` → effects run on worker
threads → their outcomes are dispatched as events → listeners (the Qt shell) receive the new Session. Nothing
here imports Qt; listeners are called on whatever thread produced the change, and the shell marshals to its GUI
thread. Work started for one session carries its session id, so a result that arrives after the citizen has
left is dropped by `step`, never shown to the next citizen.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from contract.eventlog import EventLog
from contract.log_events import Event
from kiosk.catalog.source import CatalogSource
from kiosk.config import Config
from kiosk.core.face_decision import FaceDecision, FaceOutcome
from kiosk.core.session import (
    AccessKeyEntered,
    AssistedDecided,
    AssistedRequestSent,
    CallStaff,
    Cancel,
    DocumentFailed,
    DocumentRead,
    Effect,
    FaceDecided,
    ReadDocument,
    RecordRating,
    ReprintLast,
    RequestAssistedVerification,
    RetryPrint,
    Rules,
    RunService,
    ScanMrz,
    ServiceFailed,
    Session,
    SessionEnded,
    Speak,
    Start,
    State,
    VerifyFace,
    new_session,
    refuses,
    step,
)
from kiosk.devices.bundle import Devices
from kiosk.devices.document import ReaderEvent, ReaderEventKind
from kiosk.devices.face import FaceProgress
from kiosk.errors import DistrictUnavailable, DocumentRejected, KioskError, WrongAccessKey
from kiosk.i18n import messages
from kiosk.i18n.translations import Translations
from kiosk.services.api import DistrictClient, OfflinePolicy
from kiosk.services.registry import ModuleRegistry
from kiosk.services.runner import ServiceRunner
from kiosk.store.diagnostics import DiagnosticsRecords
from kiosk.store.outbox import Outbox
from kiosk.store.transactions import TransactionStore
from kiosk.store.upkeep import upkeep
from kiosk.terminal.assisted_verification import AssistedVerification, pinned_decision_key
from kiosk.terminal.database_watch import DatabaseWatch
from kiosk.terminal.device_consequences import DeviceConsequences, device_consequences, prints_documents
from kiosk.terminal.device_health import SHELL_UPTIME_KEY, device_health, write_health_file
from kiosk.terminal.help_requests import send_help_request
from kiosk.terminal.housekeeping import PeriodicPurge
from kiosk.terminal.log_rotation import rotate_logs
from kiosk.terminal.maintenance import MaintenanceReport, MaintenanceSchedule, MaintenanceTimer, run_tasks
from kiosk.terminal.mrz_scan import scan_for_mrz
from kiosk.terminal.out_of_service import MIB, Condition, Finding, headline, release_floor
from kiosk.terminal.printing import PendingPrint, print_pending
from kiosk.terminal.receipts import default_receipt
from kiosk.terminal.service_guard import ServiceGuard
from kiosk.terminal.service_menu import ServiceMenu
from kiosk.terminal.technician_mode import ModeState, TechnicianMode
from kiosk.update.incoming import APPLY_REQUEST, read_ready

Listener = Callable[[Session], None]
MAINTENANCE_POLL_S = 60.0  # how often the maintenance timer asks whether the day's run is due
FaceListener = Callable[[FaceProgress], None]


class Terminal:
    """One citizen at a time: the session, the devices and the store, glued by effects."""

    def __init__(self, config: Config, devices: Devices, store: TransactionStore, catalogs: CatalogSource,
                 modules: ModuleRegistry, district: DistrictClient, log: EventLog,
                 clock: Callable[[], float] = time.monotonic,
                 wall_clock: Callable[[], dt.datetime] = lambda: dt.datetime.now().astimezone()) -> None:
        self.config = config
        self.devices = devices
        self._catalogs = catalogs
        self._modules = modules
        self._menu = ServiceMenu.build(catalogs.catalog, modules)
        self._store = store
        self._district = district
        self._log = log
        self._clock = clock
        self._wall_clock = wall_clock
        self.rules = Rules.from_config(config.session, config.face, config.document.block_invalid,
                                       config.blocks_unknown_issuer, config.terminal.language,
                                       devices.reader.needs_access_key)
        self._lock = threading.RLock()
        self._started = clock()  # the shell's uptime, which the heartbeat carries, counts from here
        self._session = new_session(self.rules, clock())
        self._cancel = threading.Event()
        self._face_cancel = threading.Event()  # stops a face check the citizen declined half-way
        self._pending: PendingPrint | None = None
        self._listeners: list[Listener] = []
        self._face_listeners: list[FaceListener] = []
        self._reader_listeners: list[Callable[[ReaderEvent], None]] = []
        self._status_listeners: list[Callable[[dict[str, Any]], None]] = []
        self._mrz_listeners: list[Callable[[Any], None]] = []
        self._translations = {lang: Translations.load(lang) for lang in ("zh_CN", "en")}
        self._executor = ThreadPoolExecutor(max_workers=3, thread_name_prefix="kiosk-work")
        self._closed = False
        self._spool_purge: PeriodicPurge | None = None
        self.signer: Any = None  # the documents' signer, when the kiosk holds one (see kiosk.documents)
        service = config.service
        self._guard = ServiceGuard(
            config.data_dir, log, service.disk_reserve_mb * MIB, service.max_clock_skew_s,
            reader_state=lambda: devices.reader.status().state.value if service.require_reader else None,
            printer_state=lambda: devices.printer.status().state.value if service.require_printer else None,
            catalog_items=self._usable_items, wall_clock=wall_clock,
            clock_floor=release_floor(Path(__file__).resolve().parents[2]))
        self._maintaining = False
        self._hold_until = float("-inf")  # an update asked for: no session until the installer restarts us
        self.maintenance_schedule = MaintenanceSchedule(config.data_dir, config.maintenance.hour)
        self._maintenance_timer: MaintenanceTimer | None = None
        # A file going bad while the shell runs: looked at between sessions, on a connection of its own.
        self._database_watch = DatabaseWatch(store.engine, service.database_check_s, self._between_sessions,
                                             self._on_database_change, log)
        # Known before the first citizen, then refreshed with every sync status poll.
        self._guard.evaluate(Outbox(store.engine).state())
        self._consequences = DeviceConsequences()  # what failing devices mean for citizens (device_consequences)
        self.technician = TechnicianMode(config, devices, store.engine, log, self._items_need_printers, wall_clock,
                                         lambda: self._catalogs.active.as_status())

    # ---- the view the shell gets (kiosk.terminal.view.TerminalView) ------------------------------------------

    @property
    def log(self) -> EventLog:
        return self._log

    def now(self) -> float:
        """The monotonic clock the session's timers run on."""
        return self._clock()

    def menu(self) -> ServiceMenu:
        """The active catalog with each item's input fields (built off the GUI thread), and the items a failing
        device makes unavailable for now."""
        unavailable = self._consequences.unavailable
        return dataclasses.replace(self._menu, unavailable=unavailable) if unavailable else self._menu

    @property
    def has_camera(self) -> bool:
        return self.devices.camera is not None

    @property
    def out_of_service(self) -> str | None:
        """The message key of why no session may start (a technician at work, the reader or the camera down with
        its own sentence, a condition of kiosk.terminal.out_of_service), else None."""
        finding = headline(self.out_of_service_findings)
        return (self.technician.out_of_service_reason or self._consequences.out_of_service
                or (finding.message_key if finding else None))

    @property
    def out_of_service_findings(self) -> list[Finding]:
        """Every condition keeping the terminal out of service now (kiosk.terminal.out_of_service)."""
        if self._in_maintenance():
            return [*self._guard.findings, Finding(Condition.MAINTENANCE, "daily maintenance running")]
        return self._guard.findings

    # ---- daily maintenance (kiosk.terminal.maintenance) ----------------------------------------------------------

    def maintain_if_due(self, now: dt.datetime | None = None) -> MaintenanceReport | None:
        """Run the daily maintenance when its hour has come and it has not run today (and no citizen is here)."""
        now = now or self._wall_clock()
        if not self.maintenance_schedule.due(now):
            return None
        return self.run_maintenance(now.date().isoformat())

    def run_maintenance(self, day: str) -> MaintenanceReport | None:
        """Run every maintenance task now, between sessions; None (nothing done) while a session is under way."""
        with self._lock:
            if self._session.state is not State.ATTRACT or self._maintaining or self._closed:
                return None
            self._maintaining = True  # from here a Start is refused until the tasks are done
        self.poll_sync_status()
        try:
            report = run_tasks(day, self._maintenance_tasks(), self._log)
            self.maintenance_schedule.done(report)
            if any(t.name == "update" and t.detail.get("requested") for t in report.tasks):
                # The installer restarts the shell in a moment: no citizen may start a session meanwhile.
                self._hold_until = self._clock() + self.config.updates.apply_hold_s
        finally:
            self._maintaining = False
            self.poll_sync_status()
        return report

    def _maintenance_tasks(self) -> list[tuple[str, Callable[[], dict[str, Any]]]]:
        cfg = self.config.maintenance

        def records() -> dict[str, Any]:
            outbox = Outbox(self._store.engine)
            return {"delivered_purged": outbox.purge_delivered(dt.timedelta(days=self.config.sync.retention_days)),
                    "dead_letters_erased": outbox.expire_dead_letters(
                        dt.timedelta(days=self.config.sync.dead_letter_retention_days)),
                    "diagnostics_purged": DiagnosticsRecords(self._store.engine).purge()}

        def spool() -> dict[str, Any]:
            purge = getattr(self.devices.printer, "purge", None)
            return {"removed": purge() if purge is not None else 0}

        def logs() -> dict[str, Any]:
            rotated = rotate_logs(self.config.data_dir / "logs", cfg.log_max_mb * MIB, cfg.log_keep)
            return {"rotated": [r.name for r in rotated]}

        def catalog() -> dict[str, Any]:
            self._refresh_catalog()
            return {"version": self._catalogs.catalog.version, "source": self._catalogs.active.source}

        def database() -> dict[str, Any]:
            return upkeep(self._store.engine, cfg.vacuum_freelist_ratio).as_json()

        def update() -> dict[str, Any]:
            """Ask the root installer (kiosk.update) to install a verified package now, between sessions."""
            incoming = self.config.updates.incoming
            ready = read_ready(incoming) if incoming is not None else None
            if incoming is None or ready is None:
                return {"requested": None}
            (incoming / APPLY_REQUEST).touch()
            return {"requested": ready["version"]}

        return [("records", records), ("spool", spool), ("logs", logs), ("catalog", catalog),
                ("self-test", self._self_test), ("database", database), ("update", update)]

    def _between_sessions(self) -> bool:
        return self._session.state is State.ATTRACT and not self._maintaining and not self._closed

    def _on_database_change(self, finding: Finding | None) -> None:
        self._guard.database(finding)
        self.poll_sync_status()  # the screen follows at once, not at the next poll

    def _in_maintenance(self) -> bool:
        return self._maintaining or self._clock() < self._hold_until

    def _self_test(self) -> dict[str, Any]:
        """Every device's internal check, recorded like a technician's run (kiosk diagnostics history)."""
        from kiosk.diagnostics.self_test import self_test

        return self_test(self.config, self._store.engine)

    def _usable_items(self) -> int:
        """Items a citizen could choose: enabled (the menu lists only those) and with a working module."""
        menu = self._menu
        return len([item for item in menu.catalog.enabled_items() if item.id not in menu.broken])

    # ---- wiring -----------------------------------------------------------------------------------------------

    def start(self) -> None:
        """Start watching the card reader; a card tapped on the Attract screen starts a session."""
        self.devices.reader.start(self._on_reader_event)
        self._submit(self._warm_up)
        purge = getattr(self.devices.printer, "purge", None)  # a spooling printer: documents past their time go
        if purge is not None and self._spool_purge is None:
            self._spool_purge = PeriodicPurge("spool", purge, self.config.printer.spool_purge_interval_s, self._log)
            self._spool_purge.start()
        if self._maintenance_timer is None:
            self._maintenance_timer = MaintenanceTimer(self.maintain_if_due, MAINTENANCE_POLL_S, self._log)
            self._maintenance_timer.start()
            self._database_watch.start()

    def _warm_up(self) -> None:
        """Pay once, before the first citizen, for what the first certificate would otherwise wait for."""
        from kiosk.documents.fonts import register_cjk_font  # reportlab: paid for once, off the start-up path

        register_cjk_font()

    def close(self) -> None:
        """End any session (wiping it) and stop devices and workers."""
        if self._closed:
            return
        self._closed = True
        with self._lock:
            if self._session.state is not State.ATTRACT:
                self.dispatch(Cancel())
        self.devices.reader.stop()
        if self._spool_purge is not None:
            self._spool_purge.stop()
        if self._maintenance_timer is not None:
            self._maintenance_timer.stop()
        self._database_watch.stop()
        self.technician.close()
        self._cancel.set()
        self._executor.shutdown(wait=True, cancel_futures=True)

    def subscribe(self, listener: Listener) -> None:
        """Call `listener(session)` after every change (on the thread that caused it)."""
        self._listeners.append(listener)

    def subscribe_face(self, listener: FaceListener) -> None:
        """Call `listener(progress)` for every face-check update (preview frames, guidance)."""
        self._face_listeners.append(listener)

    def subscribe_reader(self, listener: Callable[[ReaderEvent], None]) -> None:
        """Call `listener(event)` when readers or cards come and go."""
        self._reader_listeners.append(listener)

    def subscribe_sync_status(self, listener: Callable[[dict[str, Any]], None]) -> None:
        """Call `listener(status)` with the outbox/sync status each time `poll_sync_status()` has read it."""
        self._status_listeners.append(listener)

    def poll_sync_status(self) -> None:
        """Read the sync daemon's status (backlog, link, last error) from the database, off the caller's thread."""
        self._submit(self._read_sync_status)

    def write_device_health(self) -> None:
        """Write the devices' states to <data>/devices.json (atomically), off the caller's thread.

        The sync daemon sends this file with every heartbeat, so the district sees a printer out of paper or a
        pulled card reader without calling the terminal.
        """
        self._submit(self._write_device_health)

    def _write_device_health(self) -> None:
        health = device_health(self.devices, self._wall_clock())
        consequences = device_consequences(health, self._menu.catalog, self._modules,
                                           self.config.devices.receipt_printer == "escpos")
        if consequences.alert != self._consequences.alert:
            self._log.log(Event.DEVICE_CONSEQUENCES, alert=consequences.alert)
        self._consequences = consequences
        # The district hears of it with the next heartbeat: the daemon sends this file's content.
        write_health_file(self.config.data_dir, {**health, "alert": consequences.alert,
                                                 "technician": self.technician.heartbeat_view(),
                                                 SHELL_UPTIME_KEY: round(self._clock() - self._started, 1)})

    def _items_need_printers(self) -> tuple[bool, bool]:
        """(some enabled item prints A4 documents, some enabled item's only output is a receipt)."""
        a4 = receipt = False
        for item in self._menu.catalog.items:
            if item.enabled:
                prints = prints_documents(self._modules.get(item.module), item.module)
                a4, receipt = a4 or prints, receipt or not prints
        return a4, receipt

    def _read_sync_status(self) -> None:
        if any(f.condition is Condition.CATALOG_UNUSABLE for f in self._guard.findings):
            # No session can start, so none ends to refresh the catalog: look for a new one now (a file stat).
            self._refresh_catalog()
        # A corrupt file is not read: the status waits for the file to pass its check again.
        status = Outbox(self._store.engine).status() if self._database_watch.finding is None else {}
        # which catalog this shell serves: a fallback to the shipped one shows on the status line
        status["catalog_active"] = self._catalogs.active.as_status()
        self._guard.evaluate(status)
        for listener in list(self._status_listeners):
            listener(status)

    @property
    def session(self) -> Session:
        return self._session

    # ---- the one entry point for events -------------------------------------------------------------------------

    def dispatch(self, event: Any) -> None:
        """Apply an event from the citizen, a device or a worker; carry out the effects; notify listeners."""
        other = self.technician.out_of_service_reason or self._consequences.out_of_service
        if isinstance(event, Start) and other is not None:
            # A technician at work; a device every service needs is down. The shell shows its out-of-service screen.
            self._log.log(Event.SESSION_REFUSED, reason=other)
            return
        with self._lock:
            if isinstance(event, Start) and self._session.state is State.ATTRACT:
                refusal = headline(self.out_of_service_findings) if self._in_maintenance() \
                    else self._guard.refuse_start()
                if refusal is not None:
                    # Serving is unsafe (kiosk.terminal.out_of_service): the shell shows its out-of-service screen.
                    self._log.log(Event.SESSION_REFUSED, reason=refusal.message_key,
                                  condition=refusal.condition.value)
                    self.poll_sync_status()  # the screen follows at once, not at the next poll
                    return
            before = self._session
            after, effects = step(before, event, self._clock(), self.rules)
            self._session = after
            if after.state is not before.state or after.session_id != before.session_id:
                self._log.log(Event.SESSION_STATE, session=after.session_id or before.session_id,
                              from_state=before.state.value, to_state=after.state.value,
                              trigger=type(event).__name__)
            for effect in effects:
                self._carry_out(effect)
            changed = after is not before
        if changed and after.state is State.ATTRACT and self.technician.state is ModeState.PENDING:
            self.technician.session_over()  # the citizen's session ended: the technician waiting may begin
        if changed:
            for listener in list(self._listeners):
                listener(after)

    # ---- effects ----------------------------------------------------------------------------------------------

    def _carry_out(self, effect: Effect) -> None:
        if isinstance(effect, ReadDocument):
            self._submit(self._read_document, effect, self._cancel)
        elif isinstance(effect, ScanMrz):
            if self.devices.camera is not None:
                self._submit(self._scan_mrz, effect, self._cancel)
        elif isinstance(effect, VerifyFace):
            self._face_cancel = threading.Event()
            self._submit(self._verify_face, effect, self._face_cancel)
        elif isinstance(effect, RequestAssistedVerification):
            self._face_cancel.set()
            self._log.log(Event.ASSISTED_VERIFICATION_INIT, session=effect.session_id, reason=effect.reason)
            self._submit(self._assisted_verification, effect, self._cancel)
        elif isinstance(effect, RunService):
            self._submit(self._run_service, effect, self._session)
        elif isinstance(effect, (RetryPrint, ReprintLast)):
            self._submit(self._print_pending, effect.session_id, isinstance(effect, ReprintLast))
        elif isinstance(effect, RecordRating):
            self._submit(self._record_rating, effect)
        elif isinstance(effect, CallStaff):
            self._log.log(Event.HELP_REQUESTED, session=effect.session_id, state=effect.state.value)
            self._submit(self._call_staff, effect, self._session.item_id)
        elif isinstance(effect, Speak):
            self._speak(effect.key)
        elif isinstance(effect, SessionEnded):
            self._on_session_ended(effect)

    def _submit(self, fn: Callable[..., None], *args: Any) -> None:
        if self._closed and fn is not self._audit:
            return

        def run() -> None:
            try:
                fn(*args)
            except Exception as exc:  # noqa: BLE001 - a worker must never die silently
                self._log.log(Event.UNEXPECTED_ERROR, where=fn.__name__, error=f"{type(exc).__name__}: {exc}")

        try:
            self._executor.submit(run)
        except RuntimeError:  # executor shut down while closing
            pass

    def _on_session_ended(self, effect: SessionEnded) -> None:
        self._cancel.set()  # stop any read/face check/wait for staff still running for the old session
        self._face_cancel.set()
        self._cancel = threading.Event()
        self._pending = None  # printed documents held for reprint are personal data
        self.devices.face.wipe()
        self._log.log(Event.SESSION_END, session=effect.session_id, reason=effect.reason.value)
        self._submit(self._refresh_catalog)

    def _refresh_catalog(self) -> None:
        with self._lock:  # a catalog never changes under a citizen's session
            if self._session.state is not State.ATTRACT:
                return
            if self._catalogs.refresh():
                self._menu = ServiceMenu.build(self._catalogs.catalog, self._modules)

    def _speak(self, key: str) -> None:
        if not self.config.ui.voice or self._session.speech:  # speech on: the shell speaks the whole screen
            return
        language = self._session.language
        sentence = self._translations[language].translate(messages.CONTEXT, messages.text(f"speak.{key}"))
        try:
            self.devices.voice.say(sentence, language)
        except OSError:
            pass

    def _on_reader_event(self, event: ReaderEvent) -> None:
        self._log.log(Event.READER_STATE, reader=event.reader, change=event.kind.value)
        for listener in list(self._reader_listeners):
            listener(event)
        if event.kind is ReaderEventKind.CARD_INSERTED and self._session.state is State.ATTRACT:
            self.dispatch(Start())

    def _read_document(self, effect: ReadDocument, cancel: threading.Event) -> None:
        self._log.log(Event.DOCUMENT_READ_INIT, session=effect.session_id)
        started = time.monotonic()
        try:
            identity = self.devices.reader.read(effect.access_key, cancel)
        except KioskError as exc:
            refused = isinstance(exc, DocumentRejected)  # the reader applied the same policy itself
            self._log.log(Event.DOCUMENT_READ_COMPLETE, session=effect.session_id, outcome="failed",
                          error=type(exc).__name__, detail=exc.detail[:200])
            if refused:
                self._log.log(Event.DOCUMENT_REFUSED, session=effect.session_id, detail=exc.detail[:200])
            self.dispatch(DocumentFailed(exc.message_key, exc.retryable, effect.session_id,
                                         needs_access_key=isinstance(exc, WrongAccessKey), refused=refused))
            return
        self._log.log(Event.DOCUMENT_READ_COMPLETE, session=effect.session_id, outcome="read",
                      document_number=identity.document_number, passive_auth=identity.passive_auth.value,
                      ms=round((time.monotonic() - started) * 1000))
        self._audit("document-read", {"passive_auth": identity.passive_auth.value,
                                      "detail": identity.passive_auth_detail[:200]})
        if refuses(self.rules, identity.passive_auth):
            self._log.log(Event.DOCUMENT_REFUSED, session=effect.session_id, passive_auth=identity.passive_auth.value,
                          detail=identity.passive_auth_detail[:200])
        self.dispatch(DocumentRead(identity, effect.session_id))

    def subscribe_mrz_frames(self, listener: Callable[[Any], None]) -> None:
        """Call `listener(frame)` with camera frames while the MRZ is being looked for (preview only)."""
        self._mrz_listeners.append(listener)

    def _scan_mrz(self, effect: ScanMrz, cancel: threading.Event) -> None:
        """Read the printed MRZ from camera frames until found, typed in, or the session moves on."""
        camera, reader = self.devices.camera, self.devices.mrz
        if camera is None or reader is None:
            return

        def still_wanted() -> bool:
            session = self._session
            return session.session_id == effect.session_id and session.needs_access_key and not session.busy

        def on_frame(frame: Any) -> None:
            for listener in list(self._mrz_listeners):
                listener(frame)

        try:
            found = scan_for_mrz(camera, reader, cancel, still_wanted, on_frame)
        except KioskError as exc:
            self._log.log(Event.CAMERA_STATE, state="unavailable", during="mrz-scan", error=type(exc).__name__)
            return
        if found is not None and not cancel.is_set():
            self._log.log(Event.DOCUMENT_READ_INIT, session=effect.session_id, access_key="mrz-ocr")
            self.dispatch(AccessKeyEntered(found))

    def _verify_face(self, effect: VerifyFace, cancel: threading.Event) -> None:
        self._log.log(Event.FACE_VERIFY_INIT, session=effect.session_id)
        try:
            self.devices.face.prepare(effect.photo)
            decision = self.devices.face.verify(cancel, self._on_face_progress)
        except KioskError as exc:
            outcome = FaceOutcome.CAMERA_UNAVAILABLE if exc.message_key.startswith("error.camera") else \
                FaceOutcome.NO_FACE
            decision = FaceDecision(outcome, detail=type(exc).__name__)
        self._log.log(Event.FACE_VERIFY_COMPLETE, session=effect.session_id, outcome=decision.outcome.value,
                      distance=decision.distance, threshold=decision.threshold, liveness=decision.liveness)
        self._audit("face-decision", {"outcome": decision.outcome.value, "distance": decision.distance,
                                      "liveness": decision.liveness})
        self.dispatch(FaceDecided(decision, effect.session_id))

    def _assisted_verification(self, effect: RequestAssistedVerification, cancel: threading.Event) -> None:
        """Ask staff to verify the citizen in person and feed their checked decision back to the session."""
        sid = effect.session_id

        def still_waiting() -> bool:
            session = self._session
            return (session.session_id == sid and session.state is State.ASSISTED_VERIFICATION
                    and session.assist_outcome is None)

        def district_clock() -> float:
            # Expiry is the district's clock: correct ours by the skew the sync daemon measured (if any).
            skew = Outbox(self._store.engine).state().get("clock_skew_s")
            return self._wall_clock().timestamp() - (float(skew) if isinstance(skew, (int, float)) else 0.0)

        def on_sent(request_id: int) -> None:
            self._audit("assisted-verification-requested", {"request": request_id, "reason": effect.reason})
            self.dispatch(AssistedRequestSent(request_id, sid))

        run = AssistedVerification(self._district, self.config.terminal.kiosk_id,
                                   pinned_decision_key(self.config.data_dir), district_clock,
                                   self.config.session.assisted_poll_s, self._log)
        outcome = run.run(effect, cancel, still_waiting, on_sent)
        request_id = self._session.assist_request_id if self._session.session_id == sid else None
        result = outcome.value if outcome is not None else "withdrawn"
        self._log.log(Event.ASSISTED_VERIFICATION_COMPLETE, session=sid, request=request_id, outcome=result)
        # The kiosk's record of the outcome: no name, no number, only what happened.
        self._audit("assisted-verification", {"outcome": result, "reason": effect.reason, "request": request_id})
        if outcome is not None:
            self.dispatch(AssistedDecided(outcome, sid))

    def _on_face_progress(self, progress: FaceProgress) -> None:
        for listener in list(self._face_listeners):
            listener(progress)

    def _run_service(self, effect: RunService, session: Session) -> None:
        sid = effect.session_id
        item = self._menu.catalog.get(effect.item_id)
        identity = session.identity
        if item is None or identity is None:
            self.dispatch(ServiceFailed("error.service", sid))
            return
        runner = ServiceRunner(registry=self._modules, district=self._district, kiosk_id=self.config.terminal.kiosk_id,
                               office_name=self.config.terminal.office_name,
                               district_name=self.config.terminal.district_name, clock=self._wall_clock,
                               signer=self.signer, store=self._store, language=session.language)
        face_ok = session.identity_verified()  # by the face check, or by staff in person
        self._log.log(Event.SERVICE_RUN_INIT, session=sid, item=item.id, module=item.module)
        try:
            outcome = runner.run(item, identity, effect.inputs, face_verified=face_ok,
                                 queue_offline=effect.queue_if_offline)
        except DistrictUnavailable as exc:
            can_queue = runner.offline_policy(item) is OfflinePolicy.QUEUE
            self._log.log(Event.SERVICE_RUN_COMPLETE, session=sid, item=item.id, outcome="district-unavailable",
                          detail=exc.detail[:200], can_queue=can_queue)
            self.dispatch(ServiceFailed(exc.message_key, sid, can_queue=can_queue))
            return
        except KioskError as exc:
            self._log.log(Event.SERVICE_RUN_COMPLETE, session=sid, item=item.id, outcome="failed",
                          error=type(exc).__name__, detail=exc.detail[:200])
            self.dispatch(ServiceFailed(exc.message_key, sid))
            return
        except Exception as exc:  # noqa: BLE001 - a department's module must not take the terminal down
            self._log.log(Event.UNEXPECTED_ERROR, where="service", item=item.id, error=f"{type(exc).__name__}: {exc}")
            self.dispatch(ServiceFailed("error.service", sid))
            return
        status = outcome.result.transaction.status
        self._log.log(Event.TRANSACTION_COMMITTED, session=sid, transaction=outcome.transaction_id,
                      status=status, item=item.id)
        self._log.log(Event.SERVICE_RUN_COMPLETE, session=sid, item=item.id, outcome=status)
        receipt = outcome.receipt or default_receipt(item.title_zh, identity.masked_document_number,
                                                     len(outcome.result.documents), outcome.tracking_number,
                                                     self._wall_clock(), self.config.terminal.office_name)
        with self._lock:
            if self._session.session_id != sid:
                return  # the citizen left while the service ran: the transaction is recorded, nothing printed
            self._pending = PendingPrint(list(outcome.result.documents), receipt, outcome.tracking_number,
                                         outcome.transaction_id, queued=status == "queued")
        self._print_pending(sid, reprint=False)

    def _print_pending(self, sid: int, reprint: bool) -> None:
        with self._lock:
            pending = self._pending
        if pending is None:
            return
        event = print_pending(pending, self.devices.printer, self.devices.receipt_printer, sid, reprint, self._log)
        if event is not None:
            self.dispatch(event)

    def _call_staff(self, effect: CallStaff, item_id: str | None) -> None:
        """Tell the district's staff queue which terminal needs someone, and at which step (no personal data).

        Staff at the service centre also see the Help overlay; when the district is unreachable the request is
        only logged and audited: a call for help is worth nothing an hour later, so it is not queued.
        """
        self._audit("help-requested", {"state": effect.state.value})
        try:
            send_help_request(self._district, effect.state.value, item_id)
        except KioskError as exc:
            self._log.log(Event.HELP_REQUESTED, session=effect.session_id, delivered=False,
                          error=type(exc).__name__)

    def _record_rating(self, effect: RecordRating) -> None:
        self._store.set_rating(effect.transaction_id, effect.rating)
        self._log.log(Event.RATING_GIVEN, transaction=effect.transaction_id, rating=effect.rating)

    def _audit(self, event: str, detail: dict[str, Any]) -> None:
        try:
            self._store.audit(event, detail)
        except Exception as exc:  # noqa: BLE001
            self._log.log(Event.UNEXPECTED_ERROR, where="audit", error=f"{type(exc).__name__}: {exc}")
