"""The way in: a press held for five seconds on the screen's top-left corner.

Citizens tap; nobody holds a blank corner of the title bar for five seconds by accident. The hot spot is a
transparent square of the touch-target size laid over the corner; a shorter press does nothing at all (and is
not passed on: the corner has nothing else to touch).
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QWidget

HOLD_MS = 5000


class CornerHold(QWidget):
    held = Signal()

    def __init__(self, parent: QWidget, size_px: int, hold_ms: int = HOLD_MS) -> None:
        super().__init__(parent)
        self.setObjectName("technicianCorner")
        self.setProperty("testid", "technician-corner")
        self.setStyleSheet("background: transparent;")
        self.setFixedSize(size_px, size_px)
        self.hold_ms = hold_ms
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.held.emit)
        self.move(0, 0)
        self.raise_()

    def mousePressEvent(self, event) -> None:
        self._timer.start(self.hold_ms)
        event.accept()

    def mouseReleaseEvent(self, event) -> None:
        self._timer.stop()  # let go too early: nothing happens
        event.accept()
