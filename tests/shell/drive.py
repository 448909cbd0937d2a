"""Driving the shell like a citizen: find widgets by their test id and tap them."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPushButton, QWidget

from kiosk.core.session import State


def find(window: QWidget, testid: str) -> QWidget:
    """The visible widget whose `testid` property is `testid`."""
    for w in window.findChildren(QWidget):
        if w.property("testid") == testid and w.isVisible():
            return w
    raise LookupError(f"no visible widget {testid!r}")


def tap(qtbot, window: QWidget, testid: str, timeout_ms: int = 10000) -> None:
    """Tap the button once it is on screen and enabled, as a citizen would.

    A worker thread's change reaches the window through a queued signal, so the session can already be in its
    new state while the screen still shows the old one; a test that waited on the session must not tap before
    the window has drawn what the citizen would see."""

    def ready() -> bool:
        try:
            widget = find(window, testid)
        except LookupError:
            return False
        return isinstance(widget, QPushButton) and widget.isEnabled()

    try:
        qtbot.waitUntil(ready, timeout=timeout_ms)
    except Exception as timed_out:
        state = getattr(getattr(window, "terminal", None), "session", None)
        raise LookupError(f"no visible, enabled button {testid!r} (session: {state!r})") from timed_out
    qtbot.mouseClick(find(window, testid), Qt.MouseButton.LeftButton)


def wait_state(qtbot, window, state: State, timeout_ms: int = 15000) -> None:
    qtbot.waitUntil(lambda: window.terminal.session.state is state and
                    window.stack.currentWidget() is window.screens[state], timeout=timeout_ms)


def reach_confirm(qtbot, window, item_id: str) -> None:
    """From the attract screen to the confirmation of `item_id`, its form left as the kiosk fills it."""
    tap(qtbot, window, "start")
    wait_state(qtbot, window, State.MENU)
    tap(qtbot, window, f"item-{item_id}")
    wait_state(qtbot, window, State.SERVICE_FORM)
    tap(qtbot, window, "next")
    wait_state(qtbot, window, State.CONFIRM)


def visible_texts(window: QWidget) -> list[str]:
    """Every text the window could show: labels, buttons, line edits (visible or not)."""
    from PySide6.QtWidgets import QLabel

    texts = []
    for w in window.findChildren(QWidget):
        if isinstance(w, (QLabel, QPushButton)):
            texts.append(w.text())
        elif isinstance(w, QLineEdit):
            texts.append(w.text())
    return texts
