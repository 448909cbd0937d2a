"""Translation helpers for the shell: every visible string goes through Qt's translation system."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from kiosk.i18n import messages


def tr(source: str) -> str:
    """Translate a shell string (context 'Shell'); pyside6-lupdate extracts the calls."""
    return QCoreApplication.translate("", source)


def message(key: str | None) -> str:
    """The citizen-facing sentence for a message key, in the current language."""
    if not key:
        return ""
    return QCoreApplication.translate(messages.CONTEXT, messages.text(key))
