"""Carries the terminal's updates (made on worker threads) onto the GUI thread as Qt signals."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from kiosk.core.session import Session
from kiosk.devices.document import ReaderEvent
from kiosk.devices.face import FaceProgress
from kiosk.terminal.view import TerminalView


class TerminalBridge(QObject):
    session_changed = Signal(object)  # Session
    face_progress = Signal(object)  # FaceProgress
    reader_event = Signal(object)  # ReaderEvent
    mrz_frame = Signal(object)  # BGR ndarray while the MRZ is looked for
    sync_status = Signal(object)  # dict from kiosk.store.outbox.Outbox.status()

    def __init__(self, terminal: TerminalView) -> None:
        super().__init__()
        self.terminal = terminal
        # Signals emitted from another thread are queued to this object's (the GUI) thread by Qt.
        terminal.subscribe(self._on_session)
        terminal.subscribe_face(self._on_face)
        terminal.subscribe_reader(self._on_reader)
        terminal.subscribe_sync_status(self.sync_status.emit)
        terminal.subscribe_mrz_frames(self.mrz_frame.emit)

    def _on_session(self, session: Session) -> None:
        self.session_changed.emit(session)

    def _on_face(self, progress: FaceProgress) -> None:
        self.face_progress.emit(progress)

    def _on_reader(self, event: ReaderEvent) -> None:
        self.reader_event.emit(event)
