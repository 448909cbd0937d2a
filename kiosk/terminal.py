"""The terminal: carries out the session's effects on devices, services and the store, and feeds back outcomes.

Data flows one way: device or citizen event → `Terminal.dispatch` → `session.step` → effects run on worker
threads → their outcomes are dispatched as events → listeners (the Qt shell) receive the new Session. Nothing
here imports Qt; listeners are called on whatever thread produced the change, and the shell marshals to its GUI
thread. Work started for one session carries its session id, so a result that arrives after the citizen has
left is dropped by `step`, never shown to the next citizen.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from kiosk import messages
from kiosk.catalog_source import CatalogSource
from kiosk.config import Config
from kiosk.devices.camera import Camera
from kiosk.devices.document import DocumentReader, ReaderEvent, ReaderEventKind
from kiosk.devices.face import FaceProgress, FaceVerifier
from kiosk.devices.printer import DocumentPrinter, PrintableDocument, Receipt, ReceiptPrinter
from kiosk.devices.voice import Voice
from kiosk.errors import DistrictUnavailable, KioskError
from kiosk.eventlog import EventLog
from kiosk.log_events import Event
from kiosk.pinyin_input import PinyinDictionary
from kiosk.services.api import DistrictClient, OfflinePolicy
from kiosk.services.registry import ModuleRegistry
from kiosk.services.runner import ServiceRunner
from kiosk.session import (
    AccessKeyEntered, CallStaff, DocumentFailed, DocumentRead, Effect, ScanMrz, FaceDecided, Printed, PrintFailed, ReadDocument,
    RecordRating, ReprintLast, RetryPrint, Rules, RunService, ServiceFailed, Session, SessionEnded, Speak, State,
    VerifyFace, new_session, step,
)
from kiosk.store.transactions import TransactionStore
from kiosk.translations import Translations


@dataclass
class Devices:
    reader: DocumentReader
    face: FaceVerifier
    printer: DocumentPrinter
    receipt_printer: ReceiptPrinter
    voice: Voice
    camera: Camera | None = None  # shared by the face check and the MRZ scan; None: no camera configured


@dataclass
class _PendingPrint:
    """Documents of the current session not yet printed (kept for retry and reprint until the session ends)."""

    documents: list[PrintableDocument]
    receipt: Receipt
    tracking_number: str
    transaction_id: str
    queued: bool
    printed: list[bool] = field(default_factory=list)


Listener = Callable[[Session], None]
FaceListener = Callable[[FaceProgress], None]


class Terminal:
    """One citizen at a time: the session, the devices and the store, glued by effects."""

    def __init__(self, config: Config, devices: Devices, store: TransactionStore, catalogs: CatalogSource,
                 modules: ModuleRegistry, district: DistrictClient, log: EventLog,
                 clock: Callable[[], float] = time.monotonic,
                 wall_clock: Callable[[], dt.datetime] = lambda: dt.datetime.now().astimezone()) -> None:
        self.config = config
        self.devices = devices
        self.catalogs = catalogs
        self.modules = modules
        self._store = store
        self._district = district
        self._log = log
        self.log = log
        self._clock = clock
        self._wall_clock = wall_clock
        self.rules = Rules.from_config(config.session, config.face, config.document.block_invalid,
                                       config.document.block_unknown_issuer, config.terminal.language,
                                       devices.reader.needs_access_key)
        self._lock = threading.RLock()
        self._session = new_session(self.rules, clock())
        self._cancel = threading.Event()
        self._pending: _PendingPrint | None = None
        self._listeners: list[Listener] = []
        self._face_listeners: list[FaceListener] = []
        self._reader_listeners: list[Callable[[ReaderEvent], None]] = []
        self._status_listeners: list[Callable[[dict[str, Any]], None]] = []
        self._mrz_listeners: list[Callable[[Any], None]] = []
        self._mrz_ocr: Any = None
        self._translations = {lang: Translations.load(lang) for lang in ("zh_CN", "en")}
        self._executor = ThreadPoolExecutor(max_workers=3, thread_name_prefix="kiosk-work")
        self._closed = False
        self.signer: Any = None  # the documents' signer, when the kiosk holds one (see kiosk.documents)
        self.pinyin = PinyinDictionary()  # the touch keyboard's Chinese input

    # ---- wiring -----------------------------------------------------------------------------------------------

    def start(self) -> None:
        """Start watching the card reader; a card tapped on the Attract screen starts a session."""
        self.devices.reader.start(self._on_reader_event)
        self._submit(self._warm_up)

    def _warm_up(self) -> None:
        """Pay once, before the first citizen, for what the first certificate would otherwise wait for."""
        from kiosk.documents.fonts import register_cjk_font

        register_cjk_font()

    def close(self) -> None:
        """End any session (wiping it) and stop devices and workers."""
        if self._closed:
            return
        self._closed = True
        with self._lock:
            if self._session.state is not State.ATTRACT:
                from kiosk.session import Cancel
                self.dispatch(Cancel())
        self.devices.reader.stop()
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
        import json
        import os

        health: dict[str, Any] = {"reader": self.devices.reader.status().state.value,
                                  "printer": self.devices.printer.status().state.value,
                                  "receipt_printer": self.devices.receipt_printer.status().state.value,
                                  "camera": (self.devices.camera.state.value if self.devices.camera is not None
                                             else "none"),
                                  "at": self._wall_clock().isoformat(timespec="seconds")}
        path = self.config.data_dir / "devices.json"
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(health), encoding="utf-8")
        os.replace(tmp, path)

    def _read_sync_status(self) -> None:
        from kiosk.store.outbox import Outbox

        status = Outbox(self._store.engine).status()
        for listener in list(self._status_listeners):
            listener(status)

    @property
    def session(self) -> Session:
        return self._session

    # ---- the one entry point for events -------------------------------------------------------------------------

    def dispatch(self, event: Any) -> None:
        """Apply an event from the citizen, a device or a worker; carry out the effects; notify listeners."""
        with self._lock:
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
            self._submit(self._verify_face, effect, self._cancel)
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
        self._cancel.set()  # stop any read/face check still running for the old session
        self._cancel = threading.Event()
        self._pending = None  # printed documents held for reprint are personal data
        self.devices.face.wipe()
        self._log.log(Event.SESSION_END, session=effect.session_id, reason=effect.reason.value)
        self._submit(self._refresh_catalog)

    def _refresh_catalog(self) -> None:
        with self._lock:
            if self._session.state is not State.ATTRACT:
                return
            self.catalogs.refresh()

    def _speak(self, key: str) -> None:
        if not self.config.ui.voice:
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
            from kiosk.session import Start
            self.dispatch(Start())

    def _read_document(self, effect: ReadDocument, cancel: threading.Event) -> None:
        self._log.log(Event.DOCUMENT_READ_INIT, session=effect.session_id)
        started = time.monotonic()
        try:
            identity = self.devices.reader.read(effect.access_key, cancel)
        except KioskError as exc:
            self._log.log(Event.DOCUMENT_READ_COMPLETE, session=effect.session_id, outcome="failed",
                          error=type(exc).__name__, detail=exc.detail[:200])
            from kiosk.errors import WrongAccessKey
            self.dispatch(DocumentFailed(exc.message_key, exc.retryable, effect.session_id,
                                         needs_access_key=isinstance(exc, WrongAccessKey)))
            return
        self._log.log(Event.DOCUMENT_READ_COMPLETE, session=effect.session_id, outcome="read",
                      document_number=identity.document_number, passive_auth=identity.passive_auth.value,
                      ms=round((time.monotonic() - started) * 1000))
        self._audit("document-read", {"passive_auth": identity.passive_auth.value,
                                      "detail": identity.passive_auth_detail[:200]})
        self.dispatch(DocumentRead(identity, effect.session_id))

    def subscribe_mrz_frames(self, listener: Callable[[Any], None]) -> None:
        """Call `listener(frame)` with camera frames while the MRZ is being looked for (preview only)."""
        self._mrz_listeners.append(listener)

    def _scan_mrz(self, effect: ScanMrz, cancel: threading.Event) -> None:
        """Read the printed MRZ from camera frames until found, typed in, or the session moves on."""
        from kiosk.devices.document.mrz_ocr import MrzOcr
        from kiosk.errors import MalformedCardData, MrzUnreadable

        camera = self.devices.camera
        assert camera is not None
        if self._mrz_ocr is None:
            self._mrz_ocr = MrzOcr()
        try:
            camera.open()
        except KioskError as exc:
            self._log.log(Event.CAMERA_STATE, state="unavailable", during="mrz-scan", error=type(exc).__name__)
            return
        next_try = 0.0
        found = None
        try:
            while not cancel.is_set():
                session = self._session
                if session.session_id != effect.session_id or not session.needs_access_key or session.busy:
                    return
                frame = camera.read()
                if frame is None:
                    cancel.wait(0.05)
                    continue
                for listener in list(self._mrz_listeners):
                    listener(frame)
                if time.monotonic() < next_try:
                    continue
                next_try = time.monotonic() + 0.25  # OCR costs 20-120 ms: leave the preview fluid
                try:
                    found = self._mrz_ocr.read(frame)
                except (MrzUnreadable, MalformedCardData):
                    continue
                break
        finally:
            camera.close()  # before the read starts: the face check opens the camera next
        if found is not None and not cancel.is_set():
            self._log.log(Event.DOCUMENT_READ_INIT, session=effect.session_id, access_key="mrz-ocr")
            self.dispatch(AccessKeyEntered(found.access_key()))

    def _verify_face(self, effect: VerifyFace, cancel: threading.Event) -> None:
        from kiosk.devices.face import FaceDecision, FaceOutcome

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

    def _on_face_progress(self, progress: FaceProgress) -> None:
        for listener in list(self._face_listeners):
            listener(progress)

    def _run_service(self, effect: RunService, session: Session) -> None:
        sid = effect.session_id
        item = self.catalogs.catalog.get(effect.item_id)
        identity = session.identity
        if item is None or identity is None:
            self.dispatch(ServiceFailed("error.service", sid))
            return
        runner = ServiceRunner(registry=self.modules, district=self._district, kiosk_id=self.config.terminal.kiosk_id,
                               office_name=self.config.terminal.office_name,
                               district_name=self.config.terminal.district_name, clock=self._wall_clock,
                               signer=self.signer, store=self._store, language=session.language)
        face_ok = session.face is not None and session.face.outcome.value == "match"
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
        receipt = outcome.receipt or self._default_receipt(item.title_zh, identity.masked_document_number,
                                                           len(outcome.result.documents), outcome.tracking_number)
        with self._lock:
            if self._session.session_id != sid:
                return  # the citizen left while the service ran: the transaction is recorded, nothing printed
            self._pending = _PendingPrint(list(outcome.result.documents), receipt, outcome.tracking_number,
                                          outcome.transaction_id, queued=status == "queued",
                                          printed=[False] * len(outcome.result.documents))
        self._print_pending(sid, reprint=False)

    def _default_receipt(self, title: str, masked_document: str, copies: int, tracking_number: str) -> Receipt:
        """A receipt for modules that return none of their own."""
        return Receipt(title=f"{title} · 办理回执",
                       lines=(("事项 Service", title), ("证件 Document", masked_document),
                              ("份数 Copies", str(copies)),
                              ("时间 Time", self._wall_clock().strftime("%Y-%m-%d %H:%M"))),
                       tracking_number=tracking_number, qr_text=tracking_number,
                       footer=self.config.terminal.office_name)

    def _print_pending(self, sid: int, reprint: bool) -> None:
        with self._lock:
            pending = self._pending
        if pending is None:
            return
        from kiosk.errors import PrinterError

        try:
            for n, document in enumerate(pending.documents):
                if pending.printed[n] and not reprint:
                    continue
                self._log.log(Event.PRINT_INIT, session=sid, kind=document.kind, serial=document.serial)
                outcome = self.devices.printer.print_document(document)
                pending.printed[n] = True
                self._log.log(Event.PRINT_COMPLETE, session=sid, kind=document.kind, outcome="completed",
                              job=outcome.job_id)
            if not reprint:
                self.devices.receipt_printer.print_receipt(pending.receipt)
                self._log.log(Event.PRINT_COMPLETE, session=sid, kind="receipt", outcome="completed")
        except PrinterError as exc:
            self._log.log(Event.PRINT_COMPLETE, session=sid, outcome="failed", error=type(exc).__name__,
                          detail=exc.detail[:200])
            if not reprint:
                self.dispatch(PrintFailed(exc.message_key, sid, pending.tracking_number, pending.transaction_id))
            return
        if not reprint:
            self.dispatch(Printed(pending.tracking_number, pending.transaction_id, len(pending.documents),
                                  pending.queued, sid))

    def _call_staff(self, effect: CallStaff, item_id: str | None) -> None:
        """Tell the district's staff queue which terminal needs someone, and at which step (no personal data).

        Staff at the service centre also see the Help overlay; when the district is unreachable the request is
        only logged and audited: a call for help is worth nothing an hour later, so it is not queued.
        """
        self._audit("help-requested", {"state": effect.state.value})
        try:
            self._district.post_json("/api/v1/help-requests", {"kind": "help", "state": effect.state.value,
                                                               "item_id": item_id})
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
