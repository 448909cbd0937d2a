"""Runs the technicians' mode's blocking calls on its worker thread and hands the result back on the GUI thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from kiosk.terminal.technician_mode import TechnicianMode


class Relay(QObject):
    _done = Signal(object, object)  # callback, result

    def __init__(self, mode: TechnicianMode, parent: QObject) -> None:
        super().__init__(parent)
        self._mode = mode
        self._done.connect(self._deliver)  # a QObject's slot: queued onto this object's (the GUI) thread

    def call(self, fn: Callable[..., Any], *args: Any, then: Callable[[Any], None]) -> None:
        """Run `fn(*args)` on the mode's worker; `then(result)` on the GUI thread (an Exception if it raised)."""
        self._mode.submit(fn, *args, on_done=lambda result: self._done.emit(then, result))

    @Slot(object, object)
    def _deliver(self, then: Callable[[Any], None], result: Any) -> None:
        then(result)
