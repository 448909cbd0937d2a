"""What the elders' mode and speech add to the main window: the 长辈版 switch, the access bar (repeat, quieter,
louder, speech), the step indicator, the elders' menu and form, the elders' style sheet, and speaking screens.

The main window keeps its own screens and asks this object which screen to show and what to add after each
render; everything chosen here (mode, speech, volume) lives in the session and so ends with it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QFrame, QGridLayout, QPushButton, QSizePolicy, QWidget

from kiosk.core.session import Activity, EldersModeChosen, Session, SpeechChosen, State, VolumeChanged
from kiosk.devices.face import FaceProgress
from kiosk.ui.elders import theme as elders_theme
from kiosk.ui.elders.form import EldersFormScreen
from kiosk.ui.elders.menu import EldersMenuScreen
from kiosk.ui.elders.steps import TOTAL, step_name, step_of
from kiosk.ui.speech import ScreenSpeaker, spoken_text
from kiosk.ui.text import message, tr
from kiosk.ui.widgets import TouchKeyboard, button, label


class EldersShell(QObject):
    def __init__(self, window, pinyin) -> None:
        super().__init__(window)
        self.window = window
        self.terminal = window.terminal
        config = self.terminal.config
        self.palette = config.elders
        weak = elders_theme.weak_pairs(self.palette)
        if weak:
            raise ValueError(f"[elders] palette below 7:1: {weak}")  # a configured palette must stay readable
        self._sheet = elders_theme.stylesheet(config.ui.base_font_pt, config.ui.dpi, self.palette)
        self._styled: bool | None = None
        self.speaker = ScreenSpeaker(self.palette.speech_sink, self.palette.speech_words_per_minute, parent=self)
        self._spoken_key: tuple | None = None
        self._guidance = ""
        # the 长辈版 switch on the Attract screen: one tap
        self.attract_switch = self._checkable("", lambda on: self._dispatch(EldersModeChosen(on)), "elders",
                                              "elders-switch")
        attract = window.screens[State.ATTRACT]
        attract.layout_.insertWidget(attract.layout_.indexOf(attract.start), self.attract_switch)
        # the access controls, at the start of the bottom bar on every screen
        self.bar = QFrame()
        self.bar.setObjectName("accessbar")
        self.bar.setStyleSheet("QFrame#accessbar { background: transparent; }")  # the bottom bar's colour
        self.bar_grid = QGridLayout(self.bar)
        self.bar_grid.setContentsMargins(0, 0, 0, 0)
        self.elders_toggle = self._checkable("", lambda on: self._dispatch(EldersModeChosen(on)), "bar",
                                             "elders-toggle")
        self.speech_toggle = self._checkable("", lambda on: self._dispatch(SpeechChosen(on)), "bar", "speech-toggle")
        self.repeat = button("", self.repeat_screen, "bar", "repeat")
        self.quieter = button("", lambda: self._dispatch(VolumeChanged(-1)), "bar", "volume-down")
        self.louder = button("", lambda: self._dispatch(VolumeChanged(1)), "bar", "volume-up")
        self._bar_buttons = (self.elders_toggle, self.speech_toggle, self.repeat, self.quieter, self.louder)
        self._bar_columns = 0
        self._flow_bar()
        bottom = window.cancel.parentWidget().layout()
        bottom.insertWidget(0, self.bar)
        # the sync status and the place never push the window wider than the panel: they wrap
        for lab in (window.status, window.place):
            lab.setWordWrap(True)
            lab.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        # the step indicator takes the place name's room in the top bar in the elders' mode
        self.steps = label("", "steps", wrap=True)
        self.steps.setProperty("testid", "steps")
        self.steps.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        top = window.place.parentWidget().layout()
        top.insertWidget(top.indexOf(window.place) + 1, self.steps, 1)
        window.installEventFilter(self)
        # the elders' screens
        self.menu = EldersMenuScreen(self.terminal, self.palette.page_size)
        self.form = EldersFormScreen(self.terminal, pinyin)
        self.menu.page_turned = self._screen_changed_locally  # type: ignore[method-assign]
        self.form.question_changed = self._screen_changed_locally  # type: ignore[method-assign]
        for screen in (self.menu, self.form):
            window.stack.addWidget(screen)
        # any touch silences the voice at once: the citizen acts, the terminal listens
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)


    def _checkable(self, text: str, on_toggle, role: str, testid: str) -> QPushButton:
        b = QPushButton(text)
        b.setObjectName(role)
        b.setCheckable(True)
        b.setProperty("testid", testid)
        b.setAccessibleName(testid)
        b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        b.clicked.connect(on_toggle)
        return b

    def _dispatch(self, event) -> None:
        self.terminal.dispatch(event)

    def _flow_bar(self) -> None:
        """One row of access controls on a wide panel, two on a narrow (portrait) one."""
        columns = 5 if self.window.width() >= 1200 else 3
        if columns == self._bar_columns:
            return
        self._bar_columns = columns
        for n, b in enumerate(self._bar_buttons):
            self.bar_grid.removeWidget(b)
            self.bar_grid.addWidget(b, n // columns, n % columns)

    def _fit_face_preview(self) -> None:
        """The live preview shrinks on a short panel so the face screen's buttons stay on it (4:3)."""
        face = self.window.screens[State.VERIFYING_FACE]
        share = 0.30 if self._styled else 0.40
        height = int(max(180, min(480, self.window.height() * share)))
        face.preview.setFixedSize(height * 4 // 3, height)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.window and event.type() == QEvent.Type.Close:
            self.speaker.shut_down()  # no voice outlives the window
            return False
        if obj is self.window and event.type() == QEvent.Type.Resize:
            self._flow_bar()
            self._fit_face_preview()
            return False
        if event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin) and isinstance(obj, QWidget) \
                and obj.window() is self.window:
            self.speaker.stop()
            if obj is not self.window:  # the window's own handler already counts touches on its background
                # a touch on any button (a month, a page, a key) is a citizen at work: no "more time?" meanwhile
                self.terminal.dispatch(Activity())
        return False

    # ---- what the main window asks ---------------------------------------------------------------------------

    def screens(self) -> list[QWidget]:
        return [self.menu, self.form]

    def screen_for(self, session: Session) -> QWidget | None:
        """The elders' screen of this state, or None for the normal one."""
        if not session.elders:
            return None
        return {State.MENU: self.menu, State.SERVICE_FORM: self.form}.get(session.state)

    def render(self, session: Session, screen: QWidget) -> None:
        """After the main window drew `screen`: the mode's look, the bars, the step, and speech."""
        if self._styled is not session.elders:
            self._styled = session.elders
            self.window.setStyleSheet(self._sheet if session.elders else "")
            self._fit_face_preview()
            for s in [*self.window.screens.values(), self.menu, self.form]:  # bigger type, tighter gaps
                s.layout_.setContentsMargins(40, 8 if session.elders else 16, 40, 8 if session.elders else 16)
                s.layout_.setSpacing(4 if session.elders else 12)
            for keyboard in self.window.findChildren(TouchKeyboard):
                keyboard._grid.setSpacing(2 if session.elders else 3)
        attract = self.window.screens[State.ATTRACT]
        for extra in (attract.subtitle, attract.hours):  # the elders' Attract screen says only what to do
            extra.setVisible(not session.elders)
        # the sync status is for staff; in the elders' mode its room goes to the access controls
        self.window.status.setVisible(not session.elders)
        reading = self.window.screens[State.READING_DOCUMENT]
        # typing the document's details: in the elders' mode the plain request alone, the keyboard needs the room
        typing_key = session.elders and session.needs_access_key and not session.busy
        reading.title.setVisible(not typing_key)
        if typing_key:
            reading.hint.setText(tr("Type the number and the two dates printed on your document."))
        # the printing screen's three ways on stack up in the elders' mode (long captions, big type)
        printing = self.window.screens[State.PRINTING]
        row = printing.layout_.itemAt(printing.layout_.count() - 1).layout()
        row.setDirection(row.Direction.TopToBottom if session.elders else row.Direction.LeftToRight)
        self.attract_switch.setText(tr("Elders' mode: large text and speech") if not session.elders
                                    else tr("Leave elders' mode"))
        self.attract_switch.setChecked(session.elders)
        self.elders_toggle.setText(tr("Elders' mode"))
        self.elders_toggle.setChecked(session.elders)
        self.speech_toggle.setText(tr("Speech on") if session.speech else tr("Speech off"))
        self.speech_toggle.setChecked(session.speech)
        self.repeat.setText(tr("Repeat"))
        self.quieter.setText(tr("Quieter"))
        self.louder.setText(tr("Louder"))
        for b in (self.repeat, self.quieter, self.louder):
            b.setVisible(session.speech)
        self.quieter.setEnabled(session.volume > -3)
        self.louder.setEnabled(session.volume < 3)
        # on the Attract screen the big switch is the elders' toggle
        self.elders_toggle.setVisible(session.state is not State.ATTRACT)
        step = step_of(session.state)
        self.steps.setVisible(session.elders and step is not None)
        self.window.place.setVisible(not (session.elders and step is not None))
        if step is not None:
            self.steps.setText(tr("Step %1 of %2: %3").replace("%1", str(step)).replace("%2", str(TOTAL))
                               .replace("%3", tr(step_name(step))))
        if not session.speech:
            self.speaker.stop()
            self._spoken_key = None
            return
        key = (session.session_id, session.state, session.language, session.message_key, session.speech,
               session.warning_since is not None, session.help_open, session.assist_outcome, session.busy,
               session.needs_access_key, session.can_retry, session.rating, session.elders)
        if key != self._spoken_key:
            self._spoken_key = key
            self._guidance = ""
            QTimer.singleShot(0, self.repeat_screen)  # once the window has laid the new screen out

    def _screen_changed_locally(self) -> None:
        if self.terminal.session.speech:
            self.repeat_screen()

    def repeat_screen(self) -> None:
        """Speak what is on display now: the dialog on top if one is open, else the step and the screen."""
        session = self.terminal.session
        if not session.speech:
            return
        overlay = next((o for o in (self.window.out_of_service, self.window.help_overlay, self.window.still_there)
                        if o.isVisible()), None)
        choices = tr("You can choose:")
        if overlay is not None:
            text = spoken_text(overlay, choices)
        else:
            current = self.window.stack.currentWidget()
            head = self.steps.text() + "。" if self.steps.isVisible() else ""
            text = head + spoken_text(current, choices)
        self.speaker.say(text, session.language, self.amplitude(session))

    def amplitude(self, session: Session) -> int:
        return self.palette.speech_amplitude + session.volume * self.palette.speech_amplitude_step

    def face_guidance(self, progress: FaceProgress) -> None:
        """The face check's prompts ("turn your head to the left") are spoken as they change."""
        session = self.terminal.session
        if not session.speech or not progress.guidance or progress.guidance == self._guidance:
            return
        self._guidance = progress.guidance
        self.speaker.say(message(progress.guidance), session.language, self.amplitude(session))
