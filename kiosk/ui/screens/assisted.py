"""AssistedVerification: the citizen waits for a member of staff to check their document in person.

Shows what is happening, the number staff see in their queue, and how long the wait may still last; then, if no
approval came, a kind sentence and a Finish button (an approval goes straight to the menu).
"""

from __future__ import annotations

from PySide6.QtCore import Qt

from kiosk.core.session import Cancel, Session
from kiosk.ui.screens.base import Screen
from kiosk.ui.text import message, tr
from kiosk.ui.widgets import BusyIndicator, button, label


class AssistedScreen(Screen):
    def __init__(self, terminal) -> None:
        super().__init__(terminal)
        self.title = label("", "title")
        self.sentence = label("", "subtitle")
        self.sentence.setProperty("testid", "assisted-sentence")
        self.number = label("", "subtitle")
        self.number.setProperty("testid", "assisted-number")
        self.countdown = label("", "big")
        self.countdown.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.countdown.setProperty("testid", "assisted-countdown")
        self.busy = BusyIndicator()
        self.msg = label("", "notice")  # a kind sentence, not an error: the citizen did nothing wrong
        self.msg.setProperty("testid", "assisted-outcome")
        self.finish = button("", self.send(Cancel()), "primary", "assisted-finish")
        for w in (self.title, self.sentence, self.number, self.countdown, self.busy, self.msg):
            self.layout_.addWidget(w)
        self.layout_.addStretch(1)
        self.layout_.addWidget(self.finish)

    def render(self, session: Session) -> None:
        self.title.setText(tr("Verification by staff"))
        self.finish.setText(tr("Finish"))
        waiting = session.assist_outcome is None
        for w in (self.sentence, self.number, self.countdown, self.busy):
            w.setVisible(waiting)
        self.finish.setVisible(not waiting)
        self.msg.setVisible(not waiting)
        if not waiting:
            self.msg.setText(message(session.message_key))
            return
        self.sentence.setText(message("speak.assisted_waiting"))
        self.number.setText(tr("Your request number: %1").replace("%1", str(session.assist_request_id))
                            if session.assist_request_id is not None else tr("Calling staff…"))
        left = 0 if session.assist_deadline is None else max(0, int(session.assist_deadline - self.terminal.now()))
        self.countdown.setText(tr("Time left: %1").replace("%1", f"{left // 60}:{left % 60:02d}"))
