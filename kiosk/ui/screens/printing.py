"""Printing: the service runs and documents print; failures say so honestly and offer the next step."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout

from kiosk.core.session import Back, Confirmed, Retry, Session
from kiosk.ui.screens.base import Screen
from kiosk.ui.text import tr
from kiosk.ui.widgets import BusyIndicator, button, label


class PrintingScreen(Screen):
    def __init__(self, terminal) -> None:
        super().__init__(terminal)
        self.title = label("", "title")
        self.hint = label("", "subtitle")
        self.busy = BusyIndicator()
        self.msg = self.message_label()
        self.retry = button("", self.send(Retry()), "primary", "retry")
        self.queue = button("", self.send(Confirmed(queue_if_offline=True)), "primary", "queue")
        self.back = button("", self.send(Back()), "", "back-to-menu")
        row = QHBoxLayout()
        for b in (self.back, self.retry, self.queue):
            row.addWidget(b)
        for w in (self.title, self.hint, self.busy, self.msg):
            self.layout_.addWidget(w)
        self.layout_.addStretch(1)
        self.layout_.addLayout(row)

    def render(self, session: Session) -> None:
        self.title.setText(tr("Printing"))
        self.hint.setText(tr("Please wait. Your document is being prepared and printed.") if session.busy else "")
        self.busy.setVisible(session.busy)
        self.show_message(self.msg, session.message_key)
        self.retry.setText(tr("Try again"))
        self.queue.setText(tr("Accept my request for later"))
        self.back.setText(tr("Back to services"))
        self.retry.setVisible(session.can_retry and not session.busy)
        self.queue.setVisible(session.can_queue and not session.busy)
        self.back.setVisible(not session.busy and not session.transaction_id)
