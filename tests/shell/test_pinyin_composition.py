"""Keys tapped while a pinyin syllable is still being composed land after it, never ahead of it (issue 13).

Driven like a citizen: keys and candidates are tapped by their test ids on a keyboard attached to a field, and
the field's text is read back. The behaviour follows ibus-pinyin (PinyinEditor::processPunct with auto-commit:
the composition is committed first, then the key goes through; Backspace takes back a composed letter).
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

from kiosk.ui.pinyin_input import PinyinDictionary
from kiosk.ui.widgets import TouchKeyboard
from tests.shell.drive import find, tap


@pytest.fixture(scope="module")
def dictionary() -> PinyinDictionary:
    return PinyinDictionary()


@pytest.fixture()
def form(qtbot, dictionary):
    """A window with two text fields and the keyboard in pinyin mode, attached to the first."""
    window = QWidget()
    lay = QVBoxLayout(window)
    fields = []
    for n in range(2):
        edit = QLineEdit()
        edit.setMaxLength(40)
        edit.setProperty("testid", f"field-{n}")
        lay.addWidget(edit)
        fields.append(edit)
    keyboard = TouchKeyboard("full", dictionary)
    lay.addWidget(keyboard)
    qtbot.addWidget(window)
    window.resize(1280, 500)
    window.show()
    qtbot.waitExposed(window)
    keyboard.attach(fields[0])
    keyboard.set_chinese(True)
    return window, keyboard, fields


def type_letters(qtbot, window, letters: str) -> None:
    for ch in letters.upper():
        tap(qtbot, window, f"key-{ch}")


def first_candidate(window) -> str:
    return find(window, "candidate-0").text()


def shown(window, testid: str) -> bool:
    return any(w.isVisible() for w in window.findChildren(QWidget) if w.property("testid") == testid)


def composing(window) -> bool:
    return shown(window, "candidate-0")


def test_a_dash_during_composition_goes_after_the_chinese(qtbot, form):
    window, _keyboard, (field, _other) = form
    type_letters(qtbot, window, "hang")
    shown = first_candidate(window)
    assert field.text() == "", "letters being composed are not in the field yet"
    tap(qtbot, window, "key--")
    assert field.text() == shown + "-"
    assert not composing(window)
    type_letters(qtbot, window, "zhou")
    tap(qtbot, window, "candidate-0")
    assert field.text().startswith(shown + "-") and len(field.text()) == 3


def test_a_dash_after_two_syllables_commits_both_first(qtbot, form):
    window, _keyboard, (field, _other) = form
    type_letters(qtbot, window, "hangzhou")
    tap(qtbot, window, "key--")
    text = field.text()
    assert text.endswith("-") and len(text) >= 3
    assert all("\u4e00" <= ch <= "\u9fff" for ch in text[:-1]), text  # every letter became Chinese, then "-"


def test_space_takes_the_first_candidate_and_a_second_space_types_one(qtbot, form):
    window, _keyboard, (field, _other) = form
    type_letters(qtbot, window, "lu")
    shown = first_candidate(window)
    tap(qtbot, window, "key-␣")
    tap(qtbot, window, "key-␣")
    assert field.text() == shown + " "


def test_backspace_takes_back_a_composed_letter_before_touching_the_field(qtbot, form):
    window, keyboard, (field, _other) = form
    keyboard.set_chinese(False)
    tap(qtbot, window, "key-A")
    tap(qtbot, window, "key-1")
    keyboard.set_chinese(True)
    type_letters(qtbot, window, "han")
    tap(qtbot, window, "key-⌫")
    assert field.text() == "A1" and composing(window), "'ha' is still being composed"
    tap(qtbot, window, "key-⌫")
    tap(qtbot, window, "key-⌫")
    assert field.text() == "A1" and not composing(window)
    tap(qtbot, window, "key-⌫")
    assert field.text() == "A"


def test_switching_to_letters_mid_syllable_keeps_the_letters_in_order(qtbot, form):
    window, _keyboard, (field, _other) = form
    type_letters(qtbot, window, "zh")
    tap(qtbot, window, "key-中/EN")
    tap(qtbot, window, "key-1")
    assert field.text() == "zh1"


def test_moving_to_another_field_leaves_the_letters_in_the_first(qtbot, form):
    window, keyboard, (first, second) = form
    type_letters(qtbot, window, "hang")
    keyboard.attach(second)  # what the form does when the citizen taps the next field
    type_letters(qtbot, window, "lu")
    tap(qtbot, window, "key-␣")
    assert first.text() == "hang"
    assert second.text() and "\u4e00" <= second.text()[0] <= "\u9fff"


def test_a_full_field_loses_nothing_it_already_had(qtbot, form):
    window, _keyboard, (field, _other) = form
    field.setMaxLength(2)
    field.setText("路")
    type_letters(qtbot, window, "hangzhou")
    tap(qtbot, window, "key--")
    assert field.text().startswith("路") and len(field.text()) == 2
    assert not composing(window)
    qtbot.mouseClick(find(window, "key-⌫"), Qt.MouseButton.LeftButton)
    assert field.text() == "路"


def test_a_field_reused_for_the_next_question_gets_none_of_the_previous_letters(qtbot, form):
    # the elders' form asks one question per screen in one field: it puts the next answer in, then sets the
    # keyboard up again; letters left from the previous question must not be appended to the next one
    window, keyboard, (field, _other) = form
    type_letters(qtbot, window, "hang")
    field.setText("13800")
    keyboard.set_layout("digits")
    keyboard.attach(field)
    assert field.text() == "13800"
    qtbot.waitUntil(lambda: shown(window, "key-X"), timeout=5000)  # new keys show on the next event loop turn
    tap(qtbot, window, "key-1")
    assert field.text() == "138001"


def test_a_form_read_mid_syllable_keeps_the_letters(qtbot, form):
    # the form calls finish_typing() before it reads its fields, as an input method commits on focus loss
    window, keyboard, (field, _other) = form
    type_letters(qtbot, window, "wang")
    keyboard.finish_typing()
    assert field.text() == "wang" and not composing(window)
