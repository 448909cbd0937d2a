"""Kiosk mode: no keyboard escape from the shell (Alt+F4, Esc, Ctrl+Q, Ctrl+W, Ctrl+Alt+Backspace...)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt

_BLOCKED_KEYS = {Qt.Key.Key_Escape, Qt.Key.Key_F4, Qt.Key.Key_Q, Qt.Key.Key_W, Qt.Key.Key_Backspace,
                 Qt.Key.Key_Tab, Qt.Key.Key_Super_L, Qt.Key.Key_Super_R, Qt.Key.Key_Meta, Qt.Key.Key_Menu}


class KioskLock(QObject):
    """Application-wide event filter that swallows escape shortcuts and window-close requests."""

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        etype = event.type()
        if etype in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.ShortcutOverride):
            key = event.key()  # type: ignore[attr-defined]
            mods = event.modifiers()  # type: ignore[attr-defined]
            if key in _BLOCKED_KEYS and (key == Qt.Key.Key_Escape or mods != Qt.KeyboardModifier.NoModifier
                                         or key in (Qt.Key.Key_Super_L, Qt.Key.Key_Super_R, Qt.Key.Key_Meta,
                                                    Qt.Key.Key_Menu)):
                return True
            if key == Qt.Key.Key_F4 and mods & Qt.KeyboardModifier.AltModifier:
                return True
        return False
