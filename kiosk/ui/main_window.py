"""The shell's window: top bar, one screen per state, bottom bar, and the help / still-there overlays."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QStackedWidget, QVBoxLayout, QWidget

from kiosk.core.session import (
    Activity,
    Cancel,
    HelpClosed,
    HelpRequested,
    LanguageChosen,
    Session,
    State,
    Tick,
    timeout_factor,
)
from kiosk.devices.face import FaceProgress
from kiosk.terminal.view import TerminalView
from kiosk.ui.bridge import TerminalBridge
from kiosk.ui.elders.shell import EldersShell
from kiosk.ui.out_of_service import OutOfServiceScreen
from kiosk.ui.pinyin_input import PinyinDictionary
from kiosk.ui.screens.assisted import AssistedScreen
from kiosk.ui.screens.attract import AttractScreen
from kiosk.ui.screens.base import SessionView
from kiosk.ui.screens.confirm import ConfirmScreen
from kiosk.ui.screens.done import DoneScreen
from kiosk.ui.screens.face import FaceScreen
from kiosk.ui.screens.form import FormScreen
from kiosk.ui.screens.menu import MenuScreen
from kiosk.ui.screens.printing import PrintingScreen
from kiosk.ui.screens.reading import ReadingScreen
from kiosk.ui.technician.panel import TechnicianPanel
from kiosk.ui.text import tr
from kiosk.ui.widgets import button, label


class Overlay(QFrame):
    """A dimmed full-window layer with a dialog box in the middle."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("overlay")
        outer = QVBoxLayout(self)
        self.box = QFrame()
        self.box.setObjectName("dialog")
        self.body = QVBoxLayout(self.box)
        self.body.setContentsMargins(40, 40, 40, 40)
        self.body.setSpacing(24)
        outer.addStretch(1)
        outer.addWidget(self.box, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(1)
        self.hide()

    def cover(self) -> None:
        # a fixed width lets the wrapped sentences take the height they need (centred alone, they were cut off)
        width = min(900, self.parentWidget().width() - 80)
        self.box.setFixedWidth(width)
        self.box.setMinimumHeight(self.box.layout().totalHeightForWidth(width))
        self.setGeometry(self.parentWidget().rect())
        self.raise_()
        self.show()


class MainWindow(QWidget):
    def __init__(self, terminal: TerminalView, translator_switch) -> None:
        super().__init__()
        self.terminal = terminal
        self._switch_language = translator_switch
        self._language = ""
        self._rendered_session = -1
        self.setWindowTitle("kiosk")
        self.bridge = TerminalBridge(terminal)
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        # top bar: where you are, language, help
        top = QFrame()
        top.setObjectName("topbar")
        top_lay = QHBoxLayout(top)
        top_lay.setContentsMargins(24, 8, 24, 8)
        self.place = label("", wrap=False)
        # Demo mode relaxes the identity checks: nobody may mistake such a terminal for a real one.
        self.demo_marker = label("DEMO", "demo", wrap=False)
        self.demo_marker.setProperty("testid", "demo-marker")
        self.demo_marker.setVisible(terminal.config.terminal.demo)
        self.lang = button("", self._toggle_language, "bar", "language")
        self.help = button("", lambda: terminal.dispatch(HelpRequested()), "bar", "help")
        top_lay.addWidget(self.demo_marker)
        top_lay.addWidget(self.place, 1)
        top_lay.addWidget(self.lang)
        top_lay.addWidget(self.help)
        # screens
        self.stack = QStackedWidget()
        pinyin = PinyinDictionary()
        self.screens: dict[State, SessionView] = {
            State.ATTRACT: AttractScreen(terminal), State.READING_DOCUMENT: ReadingScreen(terminal),
            State.VERIFYING_FACE: FaceScreen(terminal), State.ASSISTED_VERIFICATION: AssistedScreen(terminal),
            State.MENU: MenuScreen(terminal),
            State.SERVICE_FORM: FormScreen(terminal, pinyin), State.CONFIRM: ConfirmScreen(terminal),
            State.PRINTING: PrintingScreen(terminal), State.DONE: DoneScreen(terminal),
        }
        for screen in self.screens.values():
            self.stack.addWidget(screen)
        # bottom bar: end the session from anywhere
        bottom = QFrame()
        bottom.setObjectName("bottombar")
        bottom_lay = QHBoxLayout(bottom)
        bottom_lay.setContentsMargins(24, 8, 24, 8)
        self.status = label("", wrap=False)
        self.cancel = button("", lambda: terminal.dispatch(Cancel()), "bar", "cancel")
        bottom_lay.addWidget(self.status, 1)
        bottom_lay.addWidget(self.cancel)
        root.addWidget(top)
        root.addWidget(self.stack, 1)
        root.addWidget(bottom)
        # overlays
        self.still_there = Overlay(self)
        self.still_text = label("", "title")
        self.still_count = label("", "big")
        self.still_count.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.still_button = button("", lambda: terminal.dispatch(Activity()), "primary", "still-here")
        for w in (self.still_text, self.still_count, self.still_button):
            self.still_there.body.addWidget(w)
        self.help_overlay = Overlay(self)
        self.help_text = label("", "title")
        self.help_close = button("", lambda: terminal.dispatch(HelpClosed()), "primary", "help-close")
        self.help_overlay.body.addWidget(self.help_text)
        self.help_overlay.body.addWidget(self.help_close)
        # out of service (kiosk.terminal.out_of_service): the one screen, no Start, where to find staff
        self.out_of_service = OutOfServiceScreen(terminal.config.terminal.kiosk_id,
                                                 terminal.config.terminal.staffed_counter, self)
        self.out_of_service.hide()
        self.out_of_service_text = self.out_of_service.sentence  # the kind sentence (the technicians' tests read it)
        # 长辈版 (elders' mode) and speech: the switch, the access bar, the step indicator, their own screens
        self.elders = EldersShell(self, pinyin)
        # wiring
        self.bridge.session_changed.connect(self._render_current)
        self.bridge.face_progress.connect(self._on_face_progress)
        reading = self.screens[State.READING_DOCUMENT]
        assert isinstance(reading, ReadingScreen)
        self.bridge.mrz_frame.connect(reading.show_frame)
        self._ticker = QTimer(self)
        self._ticker.timeout.connect(self._tick)
        self._ticker.start(1000)
        self._sync_status: dict | None = None
        self.bridge.sync_status.connect(self._on_sync_status)
        self._status_timer = QTimer(self)
        self._status_timer.timeout.connect(terminal.poll_sync_status)
        self._status_timer.timeout.connect(terminal.write_device_health)
        self._status_timer.start(10_000)
        terminal.poll_sync_status()
        self.technician = TechnicianPanel(self)  # the corner gesture, the PIN and the technicians' screens
        self.render(terminal.session)

    # touches anywhere count as activity (the inactivity timer and "Are you still there?")
    def mousePressEvent(self, event) -> None:
        self.terminal.dispatch(Activity())
        super().mousePressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if getattr(self, "locked", False):
            event.ignore()  # kiosk mode: the window cannot be closed by the window manager
            return
        super().closeEvent(event)

    def _tick(self) -> None:
        self.terminal.dispatch(Tick())
        self._render_still_there(self.terminal.session)

    def _toggle_language(self) -> None:
        current = self.terminal.session.language
        self.terminal.dispatch(LanguageChosen("en" if current == "zh_CN" else "zh_CN"))

    def _on_sync_status(self, status: dict) -> None:
        self._sync_status = status
        self._render_status()

    def _render_status(self) -> None:
        """The small sync indicator: online/offline, how many transactions wait for the district, and whether the
        shipped catalog serves because the district's was refused."""
        status = self._sync_status
        if status is None:
            self.status.setText("")
            self._render_out_of_service()
            return
        pending = int(status.get("pending") or 0)
        link = status.get("link") or "unknown"
        parts = []
        if link == "online":
            parts.append("● " + tr("Online"))
        elif link != "unknown":  # the daemon reported a failure: say so, and that nothing is lost
            parts.append("○ " + tr("Offline: requests are kept and sent later"))
        if pending:
            parts.append(tr("%1 waiting to be sent").replace("%1", str(pending)))
        if (status.get("catalog_active") or {}).get("fallback"):  # the district's catalog was refused here
            parts.append("⚠ " + tr("Built-in service list in use"))
        self.status.setText(" · ".join(parts))
        self.status.setProperty("testid", "sync-status")
        self._render_out_of_service()

    def _render_out_of_service(self) -> None:
        """Cover the Attract screen while the terminal may not start sessions; a citizen mid-session finishes."""
        reason = self.terminal.out_of_service
        findings = self.terminal.out_of_service_findings
        if reason is None or self.terminal.session.state is not State.ATTRACT:
            self.out_of_service.hide()
            return
        self.out_of_service.show_findings(findings, reason_key=reason)
        if not self.out_of_service.isVisible():
            self.out_of_service.setGeometry(self.rect())
            self.out_of_service.raise_()
            self.out_of_service.show()

    def _on_face_progress(self, progress: FaceProgress) -> None:
        if self.terminal.session.state is State.VERIFYING_FACE:
            face = self.screens[State.VERIFYING_FACE]
            assert isinstance(face, FaceScreen)
            face.show_progress(progress)
            self.elders.face_guidance(progress)

    def _render_current(self, _changed: Session) -> None:
        # Changes made on the GUI thread arrive at once, those of worker threads queued (and those of two workers
        # in either order): a snapshot delivered late is older than the screen already shown. Drawing the
        # terminal's session as it is now can never take the citizen back to a screen they have left.
        self.render(self.terminal.session)

    def render(self, session: Session) -> None:
        """Show the screen of the session's state, in its language."""
        if session.language != self._language:
            self._language = session.language
            self._switch_language(session.language)
        cfg = self.terminal.config.terminal
        terminal_name = tr("Self-service terminal")
        self.place.setText(f"{cfg.office_name} · {terminal_name}")
        self.demo_marker.setText("DEMO · " + tr("Demo mode"))
        self.lang.setText("English" if session.language == "zh_CN" else "中文")
        self.help.setText(tr("Help"))
        self.cancel.setText(tr("Cancel"))
        # the Done screen and the end of an assisted verification have their own Finish button; elsewhere the
        # citizen can always leave from here
        self.cancel.setVisible(session.state not in (State.ATTRACT, State.DONE) and session.assist_outcome is None)
        screen = self.elders.screen_for(session) or self.screens[session.state]
        if session.session_id != self._rendered_session:
            # A session began or ended: every screen drops what it showed of the previous citizen.
            self._rendered_session = session.session_id
            for other in [*self.screens.values(), *self.elders.screens()]:
                other.render(session)
        else:
            screen.render(session)
        self.stack.setCurrentWidget(screen)
        self.help_text.setText(tr("A member of staff has been called and will come to help you.")
                               if session.state is not State.ATTRACT else
                               tr("Place your identity document on the reader, or touch Start. Staff at the "
                                  "service desk can help you."))
        self.help_close.setText(tr("Close"))
        self._render_status()
        if session.help_open:
            self.help_overlay.cover()
        else:
            self.help_overlay.hide()
        self._render_still_there(session)
        self.elders.render(session, screen)

    def _render_still_there(self, session: Session) -> None:
        if session.warning_since is None or session.state is State.ATTRACT:
            self.still_there.hide()
            return
        warning_s = self.terminal.rules.warning_s * timeout_factor(session)
        remaining = max(0, int(warning_s - (self.terminal_clock() - session.warning_since)))
        self.still_text.setText(tr("Do you need more time? Touch the button to continue.") if session.elders
                                else tr("Are you still there? Touch the button to continue."))
        self.still_count.setText(str(remaining))
        self.still_button.setText(tr("Yes, I need more time") if session.elders else tr("Continue"))
        if not self.still_there.isVisible():
            self.still_there.cover()

    def terminal_clock(self) -> float:
        return self.terminal.now()  # the same monotonic clock the session's timers use

    def resizeEvent(self, event) -> None:
        for overlay in (self.still_there, self.help_overlay):
            if overlay.isVisible():
                overlay.cover()
        if self.out_of_service.isVisible():  # a whole screen, not a dialog: it has no cover(), it fills the panel
            self.out_of_service.setGeometry(self.rect())
        super().resizeEvent(event)
