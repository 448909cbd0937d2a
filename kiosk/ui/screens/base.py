"""What every screen shares: access to the terminal's dispatch and the catalog, and an error/notice line."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from kiosk.core.session import Session
from kiosk.terminal.view import TerminalView
from kiosk.ui.text import message
from kiosk.ui.widgets import label


class SessionView(Protocol):
    """What the main window needs of a screen: draw the session (every screen class implements it)."""

    def render(self, session: Session) -> None: ...


class Screen(QWidget):
    def __init__(self, terminal: TerminalView) -> None:
        super().__init__()
        self.terminal = terminal
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(48, 16, 48, 16)
        self.layout_.setSpacing(12)

    def send(self, event: Any) -> Callable[[], None]:
        """A click handler that dispatches `event` (built lazily if callable)."""
        def handler() -> None:
            self.terminal.dispatch(event() if callable(event) else event)
        return handler

    @staticmethod
    def message_label() -> QLabel:
        lab = label("", "error")
        lab.hide()
        return lab

    @staticmethod
    def show_message(lab: QLabel, key: str | None, role: str = "error") -> None:
        if key:
            lab.setObjectName(role)
            lab.setStyleSheet("")  # re-polish for the object name
            lab.setText(message(key))
            lab.show()
        else:
            lab.hide()
