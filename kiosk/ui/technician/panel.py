"""The technicians' layer over the shell: PIN pad, then the diagnostics screens, then leaving.

The layer covers the whole window while the technician works. While the mode waits for a citizen's session to
end (PENDING) it is hidden and the citizen carries on; new sessions are refused by the terminal and the shell's
out-of-service screen tells citizens, kindly, where staff are. If the technician walks away from an open mode,
the layer hides after a few idle minutes: citizens then see that out-of-service screen, never diagnostics, and
the way back in is the corner gesture and the PIN again.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.core.session import State
from kiosk.technician_pin import PinCheck, PinVerdict
from kiosk.terminal.technician_mode import LeaveOutcome, ModeState
from kiosk.ui import theme
from kiosk.ui.technician import look
from kiosk.ui.technician.gesture import HOLD_MS, CornerHold
from kiosk.ui.technician.pages import (
    CameraPage,
    ChecksPage,
    DevicesPage,
    LogsPage,
    NetworkPage,
    Page,
    PrinterPage,
    ReaderPage,
    ReportPage,
)
from kiosk.ui.technician.relay import Relay
from kiosk.ui.text import tr
from kiosk.ui.widgets import button, label

IDLE_MS = 5 * 60 * 1000
PAGES = (("devices", DevicesPage), ("checks", ChecksPage), ("camera", CameraPage), ("reader", ReaderPage),
         ("printer", PrinterPage), ("network", NetworkPage), ("logs", LogsPage), ("report", ReportPage))


class PinPad(QWidget):
    """Digits only, shown as dots; the verdict (rejected, locked out, not provisioned) in words."""

    submitted = Signal(str)
    cancelled = Signal()

    def __init__(self) -> None:
        super().__init__()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 24, 0, 24)
        lay.setSpacing(14)
        self.title = label(tr("Technicians' mode"), "big")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint = label(tr("Enter this terminal's technicians' PIN."), "subtitle")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.field = QLineEdit()
        self.field.setEchoMode(QLineEdit.EchoMode.Password)
        self.field.setMaxLength(12)
        self.field.setReadOnly(True)  # typed on the pad only
        self.field.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.field.setProperty("testid", "pin-field")
        self.verdict = label("", "error")
        self.verdict.setProperty("testid", "pin-verdict")
        self.verdict.hide()
        keys = QGridLayout()
        keys.setSpacing(10)
        for n, key in enumerate("123456789⌫0✓"):
            role = "primary" if key == "✓" else "key"
            b = button(key, lambda k=key: self._press(k), role, "pin-ok" if key == "✓" else f"pin-{key}")
            b.setMinimumSize(120, 90)
            keys.addWidget(b, n // 3, n % 3)
        self.cancel = button(tr("Cancel"), self.cancelled.emit, "", "pin-cancel")
        box = QWidget()
        box.setFixedWidth(480)
        inner = QVBoxLayout(box)
        inner.addWidget(self.field)
        inner.addWidget(self.verdict)
        inner.addLayout(keys)
        inner.addWidget(self.cancel)
        lay.addWidget(self.title)
        lay.addWidget(self.hint)
        lay.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        lay.addStretch(1)

    def reset(self) -> None:
        self.field.clear()
        self.verdict.hide()
        self.set_busy(False)

    def set_busy(self, busy: bool) -> None:
        for b in self.findChildren(QWidget):
            if b.property("testid") and str(b.property("testid")).startswith("pin-") and b is not self.field:
                b.setEnabled(not busy)

    def _press(self, key: str) -> None:
        if key == "⌫":
            self.field.setText(self.field.text()[:-1])
        elif key == "✓":
            if self.field.text():
                self.submitted.emit(self.field.text())
        elif len(self.field.text()) < self.field.maxLength():
            self.field.setText(self.field.text() + key)

    def show_verdict(self, verdict: PinVerdict) -> None:
        self.field.clear()
        if verdict.outcome is PinCheck.LOCKED_OUT:
            text = tr("Too many wrong PINs: try again in %1 s.").replace("%1", str(int(verdict.retry_after_s) + 1))
        elif verdict.outcome is PinCheck.NOT_PROVISIONED:
            text = tr("No technicians' PIN is set on this terminal: set one with `kiosk technician set-pin`.")
        elif verdict.retry_after_s > 0:
            text = tr("Wrong PIN. Locked for %1 s.").replace("%1", str(int(verdict.retry_after_s)))
        else:
            text = tr("Wrong PIN (%1 failed so far).").replace("%1", str(verdict.failures))
        self.verdict.setText(text)
        self.verdict.show()


class LeaveSheet(QWidget):
    """What leaving found: the needed devices that fail, and the choice to stay or leave them failing."""

    stay = Signal()
    leave_anyway = Signal()

    def __init__(self) -> None:
        super().__init__()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(48, 32, 48, 32)
        self.title = label(tr("The terminal cannot go back into service yet"), "title")
        self.lines = label("", "fact")
        self.lines.setProperty("testid", "leave-failing")
        failing = QScrollArea()  # every needed device may fail at once: the list scrolls, the choices stay on screen
        failing.setWidget(self.lines)
        failing.setWidgetResizable(True)
        failing.setFrameShape(QFrame.Shape.NoFrame)
        self.stay_button = button(tr("Stay and fix it"), self.stay.emit, "primary", "leave-stay")
        self.anyway = button(tr("Leave; the terminal stays out of service for what needs these devices"),
                             self.leave_anyway.emit, "danger", "leave-anyway")
        lay.addWidget(self.title)
        lay.addWidget(failing, 1)
        lay.addWidget(self.stay_button)
        lay.addWidget(self.anyway)
        self.outcome: LeaveOutcome | None = None

    def show_outcome(self, outcome: LeaveOutcome, language: str) -> None:
        self.outcome = outcome
        self.lines.setText("\n\n".join(
            f"{run.status.device}: {run.status.status_id} · {run.status.text}\n→ "
            + (run.status.fix_en if language == "en" else run.status.fix_zh) for run in outcome.failing))


class TechnicianPanel(QFrame):
    """The full-window technicians' layer; `window` is the shell's MainWindow."""

    mode_changed = Signal(object)

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window_ = window
        self.terminal = window.terminal
        self.mode = self.terminal.technician
        self.setObjectName("technician")
        self.setProperty("testid", "technician-panel")
        config = self.terminal.config
        self.setStyleSheet(look.stylesheet(config.ui.base_font_pt))
        self.relay = Relay(self.mode, self)
        self.language = self.terminal.session.language
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        self.stack = QStackedWidget()
        root.addWidget(self.stack)
        self._built_language: str | None = None
        self._build()
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.timeout.connect(self._walked_away)
        # the way in, and following the mode (changes arrive on worker threads: queued to this thread)
        touch = theme.touch_px(config.ui.min_touch_mm, config.ui.dpi)
        self.corner = CornerHold(window, touch, HOLD_MS)
        self.corner.held.connect(self.open_pad)
        self.mode_changed.connect(self._on_mode)
        self.mode.subscribe(self.mode_changed.emit)
        window.installEventFilter(self)
        self._overlays = (window.out_of_service, window.help_overlay, window.still_there)
        for overlay in self._overlays:
            overlay.installEventFilter(self)  # an overlay shown later must not bury the corner or the layer
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)  # any touch on the layer keeps it open
        self.hide()

    def _build(self) -> None:
        """(Re)make the screens in the language now installed: Qt translates when a text is set, and the shell
        switches its translator with each session's language."""
        while self.stack.count():
            old = self.stack.widget(0)
            self.stack.removeWidget(old)
            old.deleteLater()
        self._built_language = self.terminal.session.language
        self.language = self._built_language
        # PIN
        self.pin_pad = PinPad()
        self.pin_pad.submitted.connect(self._submit_pin)
        self.pin_pad.cancelled.connect(self._close_pad)
        # workspace: header, navigation, pages
        self.workspace = QWidget()
        wlay = QVBoxLayout(self.workspace)
        wlay.setContentsMargins(0, 0, 0, 0)
        wlay.setSpacing(0)
        header = QFrame()
        header.setObjectName("header")
        hlay = QHBoxLayout(header)
        hlay.setContentsMargins(24, 8, 24, 8)
        self.header_text = label("", wrap=True)
        # a portrait panel wraps the kiosk's name instead of squeezing the Leave button's text
        self.header_text.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.leave = button(tr("Leave technicians' mode"), self._leave, "bar", "technician-leave")
        hlay.addWidget(self.header_text, 1)
        hlay.addWidget(self.leave)
        body = QHBoxLayout()
        body.setContentsMargins(12, 12, 12, 12)
        nav = QVBoxLayout()
        nav.setSpacing(8)
        self.pages_stack = QStackedWidget()
        self.pages: dict[str, Page] = {}
        self.nav_group = QButtonGroup(self.workspace)
        for name, cls in PAGES:
            page = cls(self.relay, self.mode, self.language)
            self.pages[name] = page
            self.pages_stack.addWidget(page)
            b = button(tr(cls.title), lambda n=name: self.show_page(n), "nav", f"technician-nav-{name}")
            b.setCheckable(True)
            b.setMinimumWidth(230)
            self.nav_group.addButton(b)
            nav.addWidget(b)
        nav.addStretch(1)
        body.addLayout(nav)
        body.addWidget(self.pages_stack, 1)
        wlay.addWidget(header)
        wlay.addLayout(body, 1)
        # leaving
        self.leave_sheet = LeaveSheet()
        self.leave_sheet.stay.connect(lambda: self.stack.setCurrentWidget(self.workspace))
        self.leave_sheet.leave_anyway.connect(self._leave_anyway)
        self.busy = label(tr("Running the internal checks…"), "title")
        self.busy.setAlignment(Qt.AlignmentFlag.AlignCenter)
        for w in (self.pin_pad, self.workspace, self.leave_sheet, self.busy):
            self.stack.addWidget(w)
        self.current: str | None = None

    # ---- geometry and idleness -------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window_ and event.type() == QEvent.Type.Resize:
            self.setGeometry(self.window_.rect())
            self.corner.raise_()
        elif event.type() == QEvent.Type.Show and watched in self._overlays:
            if self.isVisible():
                self.raise_()
            self.corner.raise_()
        elif event.type() == QEvent.Type.MouseButtonPress and self.isVisible():
            self._idle.start(IDLE_MS)  # the technician is still here
        return False

    def cover(self) -> None:
        self.setGeometry(self.window_.rect())
        self.raise_()
        self.show()
        self.corner.raise_()
        self._idle.start(IDLE_MS)

    def _walked_away(self) -> None:
        if self.stack.currentWidget() is self.pin_pad:
            self._close_pad()
            return
        self._stop_pages()
        self.hide()
        self.window_._render_out_of_service()

    # ---- entering --------------------------------------------------------------------------------------------

    def open_pad(self) -> None:
        """The corner was held: ask for the PIN (or, when the mode is already open, show it again)."""
        if self.mode.state is ModeState.OFF:
            self._build()  # in the language the shell has installed now
        if self.mode.state is ModeState.ACTIVE:
            self.stack.setCurrentWidget(self.pin_pad)  # a walked-away mode: the PIN again
        elif self.mode.state is ModeState.PENDING:
            return  # already waiting for the session to end
        self.pin_pad.reset()
        self.stack.setCurrentWidget(self.pin_pad)
        self.cover()

    def _close_pad(self) -> None:
        self.pin_pad.reset()
        if self.mode.state is ModeState.ACTIVE:
            self._stop_pages()
        self.hide()
        self.window_._render_out_of_service()

    def _submit_pin(self, pin: str) -> None:
        self.pin_pad.set_busy(True)
        in_session = self.terminal.session.state is not State.ATTRACT
        reopening = self.mode.state is ModeState.ACTIVE
        fn = self.mode.pin.verify if reopening else self.mode.verify_pin
        args = (pin,) if reopening else (pin, in_session)
        self.relay.call(fn, *args, then=lambda verdict: self._pin_checked(verdict, reopening))

    def _pin_checked(self, verdict: Any, reopening: bool) -> None:
        self.pin_pad.set_busy(False)
        if isinstance(verdict, Exception):
            self.pin_pad.verdict.setText(f"{type(verdict).__name__}: {verdict}")
            self.pin_pad.verdict.show()
            return
        if not verdict.accepted:
            self.pin_pad.show_verdict(verdict)
            return
        if reopening:
            self._open_workspace()
        # otherwise the mode's change (ACTIVE, or PENDING during a session) arrives through _on_mode

    def _on_mode(self, state: ModeState) -> None:
        self.window_._render_out_of_service()  # first: its screen goes under the layer, not over it
        if state is ModeState.ACTIVE:
            self._open_workspace()
        elif state is ModeState.PENDING:
            self.hide()  # the citizen carries on; the terminal starts no new session
        else:
            self._stop_pages()
            self.hide()

    def _open_workspace(self) -> None:
        cfg = self.terminal.config.terminal
        self.header_text.setText(tr("Technicians' mode") + f" · {cfg.kiosk_id} · {cfg.office_name}")
        self.stack.setCurrentWidget(self.workspace)
        self.cover()
        self.show_page("devices")  # every entry starts from the device list, freshly checked

    # ---- pages -----------------------------------------------------------------------------------------------

    def show_page(self, name: str) -> None:
        if self.current:  # the page shown again too: a second activation must not orphan the first one's work
            self.pages[self.current].deactivate()
        self.current = name
        page = self.pages[name]
        page.language = self.language
        self.pages_stack.setCurrentWidget(page)
        for b in self.nav_group.buttons():
            b.setChecked(b.property("testid") == f"technician-nav-{name}")
        page.activate()

    def _stop_pages(self) -> None:
        if self.current:
            self.pages[self.current].deactivate()

    # ---- leaving ---------------------------------------------------------------------------------------------

    def _leave(self) -> None:
        self._stop_pages()
        self.stack.setCurrentWidget(self.busy)
        self.relay.call(self.mode.leave, then=self._left)

    def _left(self, outcome: Any) -> None:
        if isinstance(outcome, Exception):
            self.stack.setCurrentWidget(self.workspace)
            self.pages[self.current or "devices"].show_problem(f"{type(outcome).__name__}: {outcome}")
            return
        if not outcome.returned:
            self.leave_sheet.show_outcome(outcome, self.language)
            self.stack.setCurrentWidget(self.leave_sheet)
        # returned: the mode's change to OFF hides the layer
        self.terminal.write_device_health()  # what citizens may do now follows the fresh device states

    def _leave_anyway(self) -> None:
        outcome = self.leave_sheet.outcome
        self.relay.call(self.mode.leave_out_of_service, outcome.failing if outcome else [], then=lambda _r: None)
