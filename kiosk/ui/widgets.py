"""Reusable touch widgets: big buttons, the on-screen keyboard, a busy indicator."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from kiosk.ui.pinyin_input import Candidate, PinyinDictionary
from kiosk.ui.theme import BLUE_DARK as BUTTON_TEXT

UNAVAILABLE_TEXT = "#595959"  # 7.0:1 on white


def button(text: str, on_click: Callable[[], None], role: str = "", name: str = "") -> QPushButton:
    """A touch button; `role` picks its style (primary, danger, bar, item, category, key)."""
    b = QPushButton(text)
    if role:
        b.setObjectName(role)
    if name:
        b.setAccessibleName(name)
        b.setProperty("testid", name)
    b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # touch only: no focus ring hopping
    b.clicked.connect(lambda _checked=False: on_click())
    return b


class WrapButton(QPushButton):
    """A touch button whose text wraps onto several lines (long service names, English titles)."""

    def __init__(self, text: str, on_click: Callable[[], None], role: str = "", name: str = "") -> None:
        super().__init__()
        if role:
            self.setObjectName(role)
        if name:
            self.setAccessibleName(name)
            self.setProperty("testid", name)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._label = QLabel(text)
        self._label.setWordWrap(True)
        self._label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._label.setObjectName("buttonText")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(16, 6, 16, 6)
        lay.addWidget(self._label)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.clicked.connect(lambda _checked=False: on_click())
        self.toggled.connect(self._restyle)
        self._restyle(False)

    def _restyle(self, checked: bool) -> None:
        colour = "white" if checked else BUTTON_TEXT
        self._label.setStyleSheet(f"color: {colour}; background: transparent;")

    def set_unavailable(self) -> None:
        """Greyed for an item citizens cannot choose now; the grey keeps 4.5:1 contrast on white."""
        self._label.setStyleSheet(f"color: {UNAVAILABLE_TEXT}; background: transparent;")

    def setText(self, text: str) -> None:
        self._label.setText(text)

    def text(self) -> str:
        return self._label.text()


def label(text: str = "", role: str = "", wrap: bool = True) -> QLabel:
    lab = QLabel(text)
    if role:
        lab.setObjectName(role)
    lab.setWordWrap(wrap)
    return lab


class BusyIndicator(QProgressBar):
    """An indeterminate progress bar: every wait on the terminal shows one."""

    def __init__(self) -> None:
        super().__init__()
        self.setRange(0, 0)
        self.setTextVisible(False)


class TouchKeyboard(QWidget):
    """On-screen keyboard that types into the line edit it is attached to.

    Layouts: digits (with X, for resident ID numbers) and full (letters and digits). In the full layout a
    中/EN key switches to pinyin input: letters compose, a row of Chinese candidates appears and a tap on one types
    it (the space key takes the first). While a syllable is being composed the candidates take the digit row's
    place: the keyboard keeps its height, so a form that fits without candidates fits with them (a 1280x800 panel
    has no room for a fifth row of 15 or 20 mm keys), no key moves under the finger as they appear, and no digit
    can slip into the text ahead of the Chinese still being composed.
    """

    typed = Signal()

    DIGITS = ("1 2 3", "4 5 6", "7 8 9", "X 0 ⌫")
    FULL = ("1 2 3 4 5 6 7 8 9 0", "Q W E R T Y U I O P", "A S D F G H J K L ⌫", "中/EN Z X C V B N M - ␣")
    CANDIDATES = 8

    def __init__(self, layout: str = "full", pinyin: PinyinDictionary | None = None) -> None:
        super().__init__()
        self._target: QLineEdit | None = None
        self._pinyin = pinyin
        self._chinese = False
        self._composing = ""
        self._candidates: list[Candidate] = []
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self._candidate_bar = QWidget()
        self._candidate_bar.hide()
        self._candidate_row = QHBoxLayout(self._candidate_bar)
        self._candidate_row.setContentsMargins(0, 0, 0, 0)
        self._composing_label = QLabel()
        self._composing_label.setObjectName("hint")
        self._candidate_row.addWidget(self._composing_label)
        self._candidate_buttons = []
        for n in range(self.CANDIDATES):
            b = button("", lambda n=n: self._pick(n), "key", f"candidate-{n}")
            b.hide()
            self._candidate_buttons.append(b)
            self._candidate_row.addWidget(b)
        self._candidate_row.addStretch(1)
        self._grid = QGridLayout()
        self._grid.setSpacing(3)
        outer.addLayout(self._grid)
        self._keys: list[QPushButton] = []
        self._digit_row: list[QPushButton] = []
        self.set_layout(layout)

    def set_layout(self, layout: str) -> None:
        if getattr(self, "_layout_name", None) == layout:
            return
        self._layout_name = layout
        for key in self._keys:
            self._grid.removeWidget(key)
            key.hide()  # deleteLater() waits for the event loop; never show stale keys meanwhile
            key.deleteLater()
        self._keys = []
        rows = self.DIGITS if layout == "digits" else self.FULL
        for r, row in enumerate(rows):
            for c, key in enumerate(row.split()):
                if key == "中/EN" and self._pinyin is None:
                    continue
                b = button(key, lambda k=key: self._press(k), "key", f"key-{key}")
                self._keys.append(b)
                self._grid.addWidget(b, r, c)
        columns = max(len(row.split()) for row in rows)
        self._digit_row = self._keys[:columns] if layout == "full" else []
        for key in self._digit_row:  # hidden under the candidates, they keep the row's height: nothing moves
            policy = key.sizePolicy()
            policy.setRetainSizeWhenHidden(True)
            key.setSizePolicy(policy)
        self._grid.removeWidget(self._candidate_bar)
        self._grid.addWidget(self._candidate_bar, 0, 0, 1, columns)  # in the digit row's cells, shown instead
        if layout == "digits":
            self.set_chinese(False)
        self._refresh_candidates()

    def set_chinese(self, on: bool) -> None:
        """Pinyin input on or off (only where a dictionary was given); a screen's call, so letters still being
        composed are dropped: the screen may already have put another question's text in the field (the elders'
        form reuses one field). The citizen's own 中/EN key keeps them (see `_press`)."""
        self._chinese = bool(on and self._pinyin is not None)
        self._composing = ""
        self._refresh_candidates()

    @property
    def chinese(self) -> bool:
        return self._chinese

    def attach(self, target: QLineEdit | None) -> None:
        if target is not self._target:
            self.finish_typing()  # what was typed for the field being left stays in it, as letters
        self._target = target
        self._composing = ""
        self._refresh_candidates()

    def _press(self, key: str) -> None:
        if key == "中/EN":
            # switching to letters mid-syllable says "I meant these letters": they are typed as they are, as
            # Sogou and Microsoft Pinyin put the raw letters in when Shift switches to English mid-composition
            self.finish_typing()
            self.set_chinese(not self._chinese)
            return
        if self._target is None:
            return
        if self._chinese and key.isalpha() and len(key) == 1:
            self._composing += key.lower()
            self._refresh_candidates()
            return
        if self._chinese and self._composing and key in ("⌫", "␣"):
            if key == "⌫":
                self._composing = self._composing[:-1]
                self._refresh_candidates()
            else:
                self._pick(0)
            return
        if self._chinese and self._composing:
            # Any other key ("-", a digit) ends the composition first, so its character lands after the Chinese,
            # never ahead of it. As ibus-pinyin does with auto-commit on (src/PYPinyinEditor.cc,
            # PinyinEditor::processPunct: selectCandidate(cursor), commit(), then the key passes through): the
            # first candidate is taken, here repeatedly until every composed letter is used, since our first
            # candidate may cover only the first syllable; letters no candidate covers go in as they are.
            self._commit_composition()
        text = self._target.text()
        if key == "⌫":
            self._target.setText(text[:-1])
        elif key == "␣":
            self._target.setText(text + " ")
        elif len(text) < self._target.maxLength():
            self._target.setText(text + key)
        self.typed.emit()

    def _pick(self, n: int) -> None:
        if self._target is None or n >= len(self._candidates):
            return
        candidate = self._candidates[n]
        text = self._target.text()
        room = self._target.maxLength() - len(text)
        self._target.setText(text + candidate.text[:max(room, 0)])
        self._composing = self._composing[candidate.consumed:]
        self._refresh_candidates()
        self.typed.emit()

    def _commit_composition(self) -> None:
        while self._composing:
            before = self._composing
            self._pick(0)
            if self._composing == before:  # no candidate for these letters: keep them as letters
                self.finish_typing()

    def finish_typing(self) -> None:
        """Type the letters still being composed as they are, as an input method does when its field loses
        focus: a screen calls it before it reads the field (a form submitted mid-syllable keeps the letters)."""
        letters, self._composing = self._composing, ""
        # a form rebuilt for the next item has deleted the field these letters were for: they go with it
        if letters and self._target is not None and isValid(self._target):
            text = self._target.text()
            room = max(self._target.maxLength() - len(text), 0)
            self._target.setText(text + letters[:room])
            self.typed.emit()
        self._refresh_candidates()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._composing:
            self._refresh_candidates()  # as many candidates as the new width holds, none cut

    def _refresh_candidates(self) -> None:
        self._candidates = (self._pinyin.candidates(self._composing, self.CANDIDATES)
                            if self._chinese and self._composing and self._pinyin is not None else [])
        composing = self._chinese and bool(self._composing)
        self._composing_label.setText(self._composing if self._chinese else "")
        self._composing_label.setVisible(composing)
        for key in self._digit_row:
            key.setVisible(not composing)
        self._candidate_bar.setVisible(composing)
        room = self.width() - (self._composing_label.sizeHint().width() if self._chinese else 0)
        for n, b in enumerate(self._candidate_buttons):
            if n < len(self._candidates):
                b.setText(self._candidates[n].text)
                room -= b.sizeHint().width() + self._candidate_row.spacing()
                b.setVisible(room >= 0 or n == 0)  # a narrow (portrait) panel shows fewer, never cut ones
            else:
                b.hide()


def hbox(*widgets: QWidget, stretch_first: bool = False) -> QHBoxLayout:
    lay = QHBoxLayout()
    if stretch_first:
        lay.addStretch(1)
    for w in widgets:
        lay.addWidget(w)
    return lay


def vbox(*widgets: QWidget) -> QVBoxLayout:
    lay = QVBoxLayout()
    for w in widgets:
        lay.addWidget(w)
    return lay
