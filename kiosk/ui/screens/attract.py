"""Attract: invites the citizen to tap their document (or touch Start).

After a session the terminal ended by itself (a refused document), it also says why, for a short while.
"""

from __future__ import annotations

from PySide6.QtCore import Qt

from kiosk.core.session import Session, Start
from kiosk.ui.screens.base import Screen
from kiosk.ui.text import tr
from kiosk.ui.widgets import button, label


class AttractScreen(Screen):
    def __init__(self, terminal) -> None:
        super().__init__(terminal)
        self.title = label("", "big")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.subtitle = label("", "subtitle")
        self.subtitle.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.card_hint = label("", "title")
        self.card_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hours = label("", "hint")
        self.hours.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.msg = self.message_label()
        self.msg.setProperty("testid", "attract-message")
        self.start = button("", self.send(Start()), "primary", "start")
        self.start.setMinimumHeight(140)
        self.layout_.addStretch(2)
        self.layout_.addWidget(self.msg)
        self.layout_.addWidget(self.title)
        self.layout_.addWidget(self.subtitle)
        self.layout_.addStretch(1)
        self.layout_.addWidget(self.card_hint)
        self.layout_.addWidget(self.start)
        self.layout_.addStretch(1)
        self.layout_.addWidget(self.hours)

    def render(self, session: Session) -> None:
        cfg = self.terminal.config.terminal
        self.title.setText(tr("24-hour self-service"))
        self.subtitle.setText(f"{cfg.district_name} · " + tr("Social insurance, housing fund, medical insurance, "
                                                              "household registration, civil affairs, tax"))
        self.card_hint.setText(tr("Place your identity document on the reader"))
        self.start.setText(tr("Touch here to start"))
        self.hours.setText(tr("Open 24 hours. Staff can help you at the service desk."))
        self.show_message(self.msg, session.message_key)
