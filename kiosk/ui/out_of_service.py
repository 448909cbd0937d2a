"""The one out-of-service screen, whatever put the terminal out of service.

Shown at start-up when no terminal can be assembled (an unsafe configuration, a damaged database, no usable
catalog), and over the Attract screen while a live condition holds (kiosk.terminal.out_of_service). It never
offers Start: a kind sentence, where the nearest staffed counter is, this kiosk's id (what a citizen tells
staff, and what the technician looks up), and one line for staff naming the conditions. The process stays up
while it shows (a supervisor sees a running shell, not a crash to restart in a loop).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QFrame, QVBoxLayout, QWidget

from kiosk.terminal.out_of_service import Condition, Finding, headline
from kiosk.ui.text import message, tr
from kiosk.ui.widgets import label

ENGLISH = "Out of service. Please go to the staffed counter: staff will help you."


class OutOfServiceScreen(QFrame):
    """The screen's content; `show_findings` fills it. Used full-window, on its own or over the main window."""

    def __init__(self, kiosk_id: str, staffed_counter: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("outOfServiceScreen")
        self.setProperty("testid", "out-of-service")
        self.setAutoFillBackground(True)  # over the main window it must hide what is beneath
        self._kiosk_id = kiosk_id
        self._counter = staffed_counter
        self.findings: list[Finding] = []
        lay = QVBoxLayout(self)
        lay.setContentsMargins(64, 48, 64, 48)
        lay.setSpacing(24)
        self.title = label("", "big")
        self.title.setProperty("testid", "out-of-service-title")
        self.sentence = label("", "subtitle")
        self.sentence.setProperty("testid", "out-of-service-sentence")
        # The screen cannot switch language (no session): foreign visitors get the English sentence beside it.
        self.english = label(ENGLISH, "subtitle")
        self.counter = label("", "title")
        self.counter.setProperty("testid", "out-of-service-counter")
        self.kiosk = label("", "hint")
        self.kiosk.setProperty("testid", "out-of-service-kiosk")
        self.staff = label("", "hint")
        self.staff.setProperty("testid", "out-of-service-keys")
        for w in (self.title, self.sentence, self.english, self.counter, self.kiosk):
            w.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addStretch(2)
        for w in (self.title, self.sentence, self.english, self.counter):
            lay.addWidget(w)
        lay.addStretch(1)
        lay.addWidget(self.kiosk)
        lay.addWidget(self.staff)

    def show_findings(self, findings: list[Finding], config_keys: list[str] | None = None,
                      reason_key: str | None = None) -> None:
        """Fill the screen for `findings`; `config_keys` name an unsafe configuration's keys; `reason_key` is the
        sentence's message key when another part of the terminal decided (a technician at work, a device's
        consequences: kiosk.terminal.device_consequences), whose sentences name the counter as %1."""
        self.findings = list(findings)
        lead = headline(self.findings)
        key = reason_key or (lead.message_key if lead else "out_of_service.unavailable")
        self.setProperty("reason", key)
        self.setProperty("conditions", ",".join(f.condition.value for f in self.findings))
        self.title.setText(tr("Out of service"))
        self.sentence.setText(message(key).replace("%1", self._counter))
        self.english.setVisible(self.title.text() != "Out of service")
        self.counter.setText(tr("Nearest staffed counter: %1").replace("%1", self._counter))
        self.kiosk.setText(tr("Terminal %1").replace("%1", self._kiosk_id))
        if config_keys:
            self.staff.setText(tr("For staff: the configuration is not safe to serve citizens (%1). Run "
                                  "`kiosk config check` on this terminal.").replace("%1", ", ".join(config_keys)))
        else:
            self.staff.setText(tr("For staff: %1").replace(
                "%1", "; ".join(f"{f.condition.value}: {f.detail}" for f in self.findings) or key))


class OutOfServiceWindow(QWidget):
    """The screen as the shell's only window, while no terminal can be assembled."""

    def __init__(self, findings: list[Finding], kiosk_id: str, staffed_counter: str,
                 config_keys: list[str] | None = None) -> None:
        super().__init__()
        self.setWindowTitle("kiosk")
        self.setObjectName("outOfService")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.screen_ = OutOfServiceScreen(kiosk_id, staffed_counter, self)
        lay.addWidget(self.screen_)
        self.screen_.show_findings(findings, config_keys)
        self.english = self.screen_.english

    @property
    def conditions(self) -> list[Condition]:
        return [f.condition for f in self.screen_.findings]

    def closeEvent(self, event: QCloseEvent) -> None:
        if getattr(self, "locked", False):
            event.ignore()  # kiosk mode: the window manager cannot close it to reveal the desktop
            return
        super().closeEvent(event)
