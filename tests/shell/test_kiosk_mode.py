"""Kiosk mode: no keyboard escape, the window cannot be closed, every touch target is at least 15 mm."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QPushButton

from kiosk.core.session import State
from kiosk.ui.kiosk_lock import KioskLock
from kiosk.ui.theme import touch_px
from tests.shell.drive import tap, wait_state

M = Qt.KeyboardModifier


@pytest.mark.parametrize("key,mods", [
    (Qt.Key.Key_Escape, M.NoModifier), (Qt.Key.Key_F4, M.AltModifier), (Qt.Key.Key_Q, M.ControlModifier),
    (Qt.Key.Key_W, M.ControlModifier), (Qt.Key.Key_Backspace, M.ControlModifier | M.AltModifier),
    (Qt.Key.Key_Tab, M.AltModifier),
])
def test_escape_shortcuts_are_swallowed(key, mods):
    lock = KioskLock()
    for etype in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
        assert lock.eventFilter(None, QKeyEvent(etype, key, mods)) is True


def test_ordinary_typing_passes(qtbot):
    lock = KioskLock()
    assert lock.eventFilter(None, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Q, M.NoModifier, "q")) is False
    assert lock.eventFilter(None, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Backspace, M.NoModifier)) is False


def test_locked_window_refuses_to_close(qtbot, shell):
    shell.locked = True
    assert shell.close() is False and shell.isVisible()
    shell.locked = False


def test_every_button_is_a_big_enough_touch_target(qtbot, shell):
    window = shell
    config = window.terminal.config
    minimum = touch_px(config.ui.min_touch_mm, config.ui.dpi)
    window.resize(1280, 1024)

    def check() -> None:
        for b in window.findChildren(QPushButton):
            if b.isVisible():
                assert b.height() >= minimum and b.width() >= minimum, (b.text(), b.size())

    check()
    tap(qtbot, window, "start")
    wait_state(qtbot, window, State.MENU)
    qtbot.wait(100)
    check()
