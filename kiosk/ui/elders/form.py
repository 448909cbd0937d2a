"""The elders' form: one question per screen in plain words. A count of months is offered as a few big choices
(the default already chosen); text is typed with the on-screen keyboard. The last question's Next submits."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QButtonGroup, QGridLayout, QLineEdit, QPushButton

from kiosk.core.session import Back, FormInvalid, FormSubmitted, Session
from kiosk.errors import InputInvalid
from kiosk.services.api import FieldKind, InputField
from kiosk.ui.screens.base import Screen
from kiosk.ui.text import tr
from kiosk.ui.widgets import TouchKeyboard, button, hbox, label

MONTH_CHOICES = (6, 12, 24, 36)


class EldersFormScreen(Screen):
    def __init__(self, terminal, pinyin) -> None:
        super().__init__(terminal)
        self.question = 0
        self._fields: list[InputField] = []
        self._values: dict[str, str] = {}
        self._built_for: tuple[int, str | None, str, int] | None = None
        self.title = label("", "hint")
        self.ask = label("", "title")
        self.ask.setProperty("testid", "elders-question")
        self.choices_grid = QGridLayout()
        self.choices_grid.setSpacing(16)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.edit = QLineEdit()
        self.edit.setProperty("testid", "elders-input")
        self.keyboard = TouchKeyboard("digits", pinyin)
        self.keyboard.attach(self.edit)
        self.msg = self.message_label()
        self.back = button("", self._back, "", "back")
        self.next = button("", self._next, "primary", "next")
        self.layout_.addWidget(self.title)
        self.layout_.addWidget(self.ask)
        self.layout_.addLayout(self.choices_grid)
        self.layout_.addWidget(self.edit)
        self.layout_.addWidget(self.keyboard)
        self.layout_.addWidget(self.msg)
        self.layout_.addStretch(1)
        self.layout_.addLayout(hbox(self.back, self.next, stretch_first=False))

    def render(self, session: Session) -> None:
        menu = self.terminal.menu()
        form = menu.form(session.item_id) if session.item_id else None
        item = menu.catalog.get(session.item_id or "")
        en = session.language == "en"
        self.back.setText(tr("Back"))
        if form is None or item is None:
            self._fields, self._values, self.question, self._built_for = [], {}, 0, None
            self.edit.clear()
            return
        key = (session.session_id, session.item_id, session.language, id(form))
        if key != self._built_for:
            self._built_for = key
            self._fields = list(form.fields)
            self._values = {f.key: session.inputs.get(f.key, f.default) for f in self._fields}
            self.question = 0
            if session.invalid_field:
                self.question = next((n for n, f in enumerate(self._fields) if f.key == session.invalid_field), 0)
            self._show_question(en)  # only now: a render per tick must not replace the button under a finger
        self.title.setText(item.title_en if en else item.title_zh)
        self.show_message(self.msg, session.message_key)

    def _show_question(self, en: bool) -> None:
        f = self._fields[self.question]
        count = len(self._fields)
        prefix = (tr("Question %1 of %2: ").replace("%1", str(self.question + 1)).replace("%2", str(count))
                  if count > 1 else "")
        self.ask.setText(prefix + (f.label_en if en else f.label_zh) + tr("?"))
        last = self.question == count - 1
        self.next.setText(tr("Next") if not last else tr("Done, next step"))
        for b in self.group.buttons():
            self.group.removeButton(b)
            b.hide()
            b.deleteLater()
        options = self._options(f, en)
        current = self._values.get(f.key, f.default)
        for n, (value, caption) in enumerate(options):
            b = QPushButton(caption)
            b.setCheckable(True)
            b.setChecked(value == current)
            b.setProperty("value", value)
            b.setProperty("testid", f"elders-choice-{f.key}-{value}")
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.group.addButton(b)
            self.choices_grid.addWidget(b, n // 2, n % 2)
        typed = not options
        self.title.setVisible(not typed)  # the keyboard needs the room: the question alone says what to type
        self.edit.setVisible(typed)
        self.keyboard.setVisible(typed)
        if typed:
            self.edit.setMaxLength(f.max_length)
            self.edit.setText(current)
            self.keyboard.set_layout("digits" if f.kind in (FieldKind.DIGITS, FieldKind.PHONE, FieldKind.MONTHS)
                                     else "full")
            self.keyboard.attach(self.edit)
            if f.kind is FieldKind.TEXT:
                self.keyboard.set_chinese(True)

    @staticmethod
    def _options(f: InputField, en: bool) -> list[tuple[str, str]]:
        if f.kind is FieldKind.CHOICE and len(f.choices) <= 6:
            return [(value, en_label if en else zh) for value, zh, en_label in f.choices]
        if f.kind is FieldKind.MONTHS:
            values = [m for m in MONTH_CHOICES if (f.minimum is None or m >= f.minimum) and
                      (f.maximum is None or m <= f.maximum)]
            if f.default.isdigit() and int(f.default) not in values:
                values = sorted([*values, int(f.default)])
            return [(str(m), tr("%1 months").replace("%1", str(m))) for m in values]
        return []

    def _collect(self) -> None:
        f = self._fields[self.question]
        checked = self.group.checkedButton()
        if self.group.buttons():
            self._values[f.key] = checked.property("value") if checked is not None else ""
        else:
            self.keyboard.finish_typing()  # a syllable left unpicked is kept as the letters typed
            self._values[f.key] = self.edit.text()

    def _back(self) -> None:
        if self._fields and self.question > 0:
            self._collect()
            self.question -= 1
            self._show_question(self.terminal.session.language == "en")
            self.question_changed()
            return
        self.terminal.dispatch(Back())

    def _next(self) -> None:
        if not self._fields:
            return
        self._collect()
        f = self._fields[self.question]
        try:
            f.validate(self._values[f.key])
        except InputInvalid as exc:
            self.terminal.dispatch(FormInvalid(exc.field, exc.message_key))
            return
        if self.question < len(self._fields) - 1:
            self.question += 1
            self.msg.hide()
            self._show_question(self.terminal.session.language == "en")
            self.question_changed()
            return
        try:
            values = {g.key: g.validate(self._values.get(g.key, "")) for g in self._fields}
        except InputInvalid as exc:
            self.terminal.dispatch(FormInvalid(exc.field, exc.message_key))
            return
        self.terminal.dispatch(FormSubmitted(values))

    def question_changed(self) -> None:
        """Replaced by the elders' shell: a new question is a new screen to speak."""
