"""The screen a terminal shows instead of serving citizens when its configuration is unsafe.

The process stays up and shows it (a supervisor sees a running shell, not a crash to restart in a loop); the
reasons go to the event log, and only the keys at fault are on screen, for the technician who comes by.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.deployment_check import UnsafeSetting
from kiosk.ui.text import tr
from kiosk.ui.widgets import label


class OutOfServiceWindow(QWidget):
    def __init__(self, problems: list[UnsafeSetting]) -> None:
        super().__init__()
        self.setWindowTitle("kiosk")
        self.setObjectName("outOfService")
        self.problems = list(problems)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(64, 48, 64, 48)
        lay.setSpacing(24)
        self.title = label(tr("Out of service"), "big")
        self.title.setProperty("testid", "out-of-service")
        self.sentence = label(tr("This terminal is not available at the moment. Please go to the service desk: "
                                 "staff will help you."), "subtitle")
        # The screen cannot switch language (no session): foreign visitors get the English sentence beside it.
        english = "Out of service. Please go to the service desk: staff will help you."
        self.english = label(english, "subtitle")
        self.english.setVisible(self.title.text() != "Out of service")
        keys = ", ".join(dict.fromkeys(p.key for p in self.problems))
        self.staff = label(tr("For staff: the configuration is not safe to serve citizens (%1). Run "
                              "`kiosk config check` on this terminal.").replace("%1", keys), "hint")
        self.staff.setProperty("testid", "out-of-service-keys")
        for w in (self.title, self.sentence, self.english):
            w.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addStretch(2)
        lay.addWidget(self.title)
        lay.addWidget(self.sentence)
        lay.addWidget(self.english)
        lay.addStretch(1)
        lay.addWidget(self.staff)

    def closeEvent(self, event: QCloseEvent) -> None:
        if getattr(self, "locked", False):
            event.ignore()  # kiosk mode: the window manager cannot close it to reveal the desktop
            return
        super().closeEvent(event)
