"""Reusable touch widgets: big buttons, the on-screen keyboard, a busy indicator."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout, QHBoxLayout, QLabel, QLineEdit, QProgressBar, QPushButton, QVBoxLayout, QWidget,
)


def button(text: str, on_click: Callable[[], None], role: str = "", name: str = "") -> QPushButton:
    """A touch button; `role` picks its style (primary, danger, bar, item, category, key)."""
    b = QPushButton(text)
    if role:
        b.setObjectName(role)
    if name:
        b.setAccessibleName(name)
        b.setProperty("testid", name)
    b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # touch only: no focus ring hopping
    b.clicked.connect(lambda _checked=False: on_click())
    return b


def label(text: str = "", role: str = "", wrap: bool = True) -> QLabel:
    lab = QLabel(text)
    if role:
        lab.setObjectName(role)
    lab.setWordWrap(wrap)
    return lab


class BusyIndicator(QProgressBar):
    """An indeterminate progress bar: every wait on the terminal shows one."""

    def __init__(self) -> None:
        super().__init__()
        self.setRange(0, 0)
        self.setTextVisible(False)


class TouchKeyboard(QWidget):
    """On-screen keyboard that types into the line edit it is attached to.

    Layouts: digits (with X, for resident ID numbers), letters+digits (document numbers, pinyin search).
    """

    typed = Signal()

    DIGITS = ("1 2 3", "4 5 6", "7 8 9", "X 0 ⌫")
    FULL = ("1 2 3 4 5 6 7 8 9 0", "Q W E R T Y U I O P", "A S D F G H J K L ⌫", "Z X C V B N M - ␣")

    def __init__(self, layout: str = "full") -> None:
        super().__init__()
        self._target: QLineEdit | None = None
        self._grid = QGridLayout(self)
        self._grid.setSpacing(8)
        self.set_layout(layout)

    def set_layout(self, layout: str) -> None:
        if getattr(self, "_layout_name", None) == layout:
            return
        self._layout_name = layout
        while self._grid.count():
            item = self._grid.takeAt(0)
            if item.widget():
                item.widget().hide()  # deleteLater() waits for the event loop; never show stale keys meanwhile
                item.widget().deleteLater()
        rows = self.DIGITS if layout == "digits" else self.FULL
        for r, row in enumerate(rows):
            for c, key in enumerate(row.split()):
                self._grid.addWidget(button(key, lambda k=key: self._press(k), "key", f"key-{key}"), r, c)

    def attach(self, target: QLineEdit | None) -> None:
        self._target = target

    def _press(self, key: str) -> None:
        if self._target is None:
            return
        text = self._target.text()
        if key == "⌫":
            self._target.setText(text[:-1])
        elif key == "␣":
            self._target.setText(text + " ")
        elif len(text) < self._target.maxLength():
            self._target.setText(text + key)
        self.typed.emit()


def hbox(*widgets: QWidget, stretch_first: bool = False) -> QHBoxLayout:
    lay = QHBoxLayout()
    if stretch_first:
        lay.addStretch(1)
    for w in widgets:
        lay.addWidget(w)
    return lay


def vbox(*widgets: QWidget) -> QVBoxLayout:
    lay = QVBoxLayout()
    for w in widgets:
        lay.addWidget(w)
    return lay
