"""ServiceForm: the module's typed inputs, typed with the on-screen keyboard or chosen with big buttons."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QButtonGroup, QFormLayout, QHBoxLayout, QLineEdit, QPushButton, QWidget

from kiosk.core.session import Back, FormInvalid, FormSubmitted, Session
from kiosk.errors import InputInvalid
from kiosk.services.api import FieldKind, InputField
from kiosk.terminal.view import TerminalView
from kiosk.ui.pinyin_input import PinyinDictionary
from kiosk.ui.screens.base import Screen
from kiosk.ui.text import tr
from kiosk.ui.widgets import TouchKeyboard, button, label


class FormScreen(Screen):
    def __init__(self, terminal: TerminalView, pinyin: PinyinDictionary) -> None:
        super().__init__(terminal)
        self._built_for: tuple[str | None, str] | None = None
        self._fields: list[InputField] = []
        self._edits: dict[str, QLineEdit] = {}
        self._choices: dict[str, QButtonGroup] = {}
        self.title = label("", "title")
        self.help = label("", "hint")
        self.form_box = QWidget()
        self.form = QFormLayout(self.form_box)
        self.msg = self.message_label()
        self.keyboard = TouchKeyboard("digits", pinyin)
        self.back = button("", self.send(Back()), "", "back")
        self.next = button("", self._submit, "primary", "next")
        nav = QHBoxLayout()
        nav.addWidget(self.back)
        nav.addStretch(1)
        nav.addWidget(self.next)
        for w in (self.title, self.help, self.form_box, self.msg, self.keyboard):
            self.layout_.addWidget(w)
        self.layout_.addStretch(1)
        self.layout_.addLayout(nav)

    def render(self, session: Session) -> None:
        menu = self.terminal.menu()
        item = menu.catalog.get(session.item_id or "")
        form = menu.form(session.item_id)
        en = session.language == "en"
        self.back.setText(tr("Back"))
        self.next.setText(tr("Next"))
        if item is None or form is None:
            self._build((), en, {})  # no item (session ended): forget the previous citizen's inputs
            self._built_for = None
            return
        self.title.setText(item.title_en if en else item.title_zh)
        self.help.setText(form.help_en if en else form.help_zh)
        key = (session.item_id, session.language)
        if key != self._built_for:
            self._build(form.fields, en, session.inputs)
            self._built_for = key
        for k, edit in self._edits.items():
            edit.setProperty("invalid", "true" if k == session.invalid_field else "false")
            edit.style().unpolish(edit)
            edit.style().polish(edit)
        self.show_message(self.msg, session.message_key)

    def _build(self, fields: tuple[InputField, ...], en: bool, values: dict[str, str]) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self._fields = list(fields)
        self._edits.clear()
        self._choices.clear()
        first: QLineEdit | None = None
        for f in fields:
            caption = label(f.label_en if en else f.label_zh)
            if f.kind is FieldKind.CHOICE:
                row = QWidget()
                lay = QHBoxLayout(row)
                group = QButtonGroup(row)
                for value, zh, en_label in f.choices:
                    b = QPushButton(en_label if en else zh)
                    b.setCheckable(True)
                    b.setProperty("value", value)
                    b.setChecked(values.get(f.key, f.default) == value)
                    b.setProperty("testid", f"choice-{f.key}-{value}")
                    group.addButton(b)
                    lay.addWidget(b)
                self._choices[f.key] = group
                self.form.addRow(caption, row)
                continue
            edit = QLineEdit(values.get(f.key, f.default))
            edit.setMaxLength(f.max_length)
            edit.setProperty("kind", f.kind.value)
            edit.setProperty("testid", f"input-{f.key}")
            edit.installEventFilter(self)
            self._edits[f.key] = edit
            self.form.addRow(caption, edit)
            first = first or edit
        self.keyboard.setVisible(bool(self._edits))
        if first is not None:
            self._attach(first)

    def _attach(self, edit: QLineEdit) -> None:
        kind = edit.property("kind")
        self.keyboard.attach(edit)  # first: letters still being composed go into the field being left
        self.keyboard.set_layout("digits" if kind in ("digits", "phone", "months") else "full")
        if kind == "text":  # names, addresses: Chinese by default, 中/EN switches
            self.keyboard.set_chinese(True)

    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.FocusIn and isinstance(obj, QLineEdit):
            self._attach(obj)
        return False

    def _submit(self) -> None:
        self.keyboard.finish_typing()  # a syllable left unpicked is part of what the citizen typed
        values: dict[str, str] = {}
        try:
            for f in self._fields:
                if f.kind is FieldKind.CHOICE:
                    checked = self._choices[f.key].checkedButton()
                    raw = checked.property("value") if checked is not None else ""
                else:
                    raw = self._edits[f.key].text()
                values[f.key] = f.validate(raw)
        except InputInvalid as exc:
            self.terminal.dispatch(FormInvalid(exc.field, exc.message_key))
            return
        self.terminal.dispatch(FormSubmitted(values))
