"""Done: the tracking number, a one-tap good/bad rating, reprint, another service or finish."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout

from kiosk.core.session import Back, Cancel, Rated, Reprint, Session
from kiosk.ui.screens.base import Screen
from kiosk.ui.text import tr
from kiosk.ui.widgets import button, label


class DoneScreen(Screen):
    def __init__(self, terminal) -> None:
        super().__init__(terminal)
        self.title = label("", "big")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail = label("", "subtitle")
        self.detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.tracking = label("", "title")
        self.tracking.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.rate_q = label("", "subtitle")
        self.rate_q.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.good = button("", self.send(Rated("good")), "primary", "rate-good")
        self.bad = button("", self.send(Rated("bad")), "danger", "rate-bad")
        for b in (self.good, self.bad):  # one tap, big enough to find without glasses
            b.setMinimumSize(260, 120)
        self.thanks = label("", "notice")
        self.reprint = button("", self.send(Reprint()), "", "reprint")
        self.another = button("", self.send(Back()), "", "another")
        self.finish = button("", self.send(Cancel()), "primary", "finish")
        rate = QHBoxLayout()
        rate.addStretch(1)
        rate.addWidget(self.good)
        rate.addWidget(self.bad)
        rate.addStretch(1)
        nav = QHBoxLayout()
        nav.addWidget(self.reprint)
        nav.addWidget(self.another)
        nav.addStretch(1)
        nav.addWidget(self.finish)
        for w in (self.title, self.detail, self.tracking, self.rate_q):
            self.layout_.addWidget(w)
        self.layout_.addLayout(rate)
        self.layout_.addWidget(self.thanks)
        self.layout_.addStretch(1)
        self.layout_.addLayout(nav)

    def render(self, session: Session) -> None:
        self.title.setText(tr("Request accepted") if session.queued else tr("Done"))
        self.detail.setText(tr("Your request will be submitted when the district service is back. "
                               "Keep the receipt.") if session.queued else
                            tr("Please take your document, your receipt and your identity card."))
        self.tracking.setText(tr("Tracking number: %1").replace("%1", session.tracking_number)
                              if session.tracking_number else "")
        self.rate_q.setText(tr("How was this service?"))
        self.good.setText(tr("Satisfied"))
        self.bad.setText(tr("Not satisfied"))
        rated = session.rating is not None
        self.good.setVisible(not rated)
        self.bad.setVisible(not rated)
        self.thanks.setText(tr("Thank you for your rating."))
        self.thanks.setVisible(rated)
        self.reprint.setText(tr("Print again"))
        self.reprint.setVisible(not session.queued)
        self.another.setText(tr("Another service"))
        self.finish.setText(tr("Finish"))
