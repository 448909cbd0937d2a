"""The window shows the session as it is now, whatever order the terminal's changes reach the GUI thread in.

A change made on the GUI thread (a tap) is drawn at once; one made on a worker thread (a chip read, a face
decision) is queued. So a worker's older snapshot can arrive after a newer screen was drawn: it must not bring
the old screen back."""

from __future__ import annotations

from kiosk.core.session import Start, State
from tests.shell.drive import wait_state


def test_a_late_snapshot_never_brings_back_a_screen_the_citizen_has_left(qtbot, shell):
    wait_state(qtbot, shell, State.ATTRACT)
    stale = shell.terminal.session
    shell.terminal.dispatch(Start())  # on the GUI thread, like a tap: drawn at once
    assert shell.stack.currentWidget() is not shell.screens[State.ATTRACT]
    shown: list[object] = []
    shell.stack.currentChanged.connect(lambda index: shown.append(shell.stack.widget(index)))
    shell.bridge.session_changed.emit(stale)  # a worker's change that was queued before the tap, delivered now
    # (the simulated reader may move the session on meanwhile: the screen follows it, never back to Attract)
    qtbot.waitUntil(lambda: shell.stack.currentWidget() is shell.screens[shell.terminal.session.state], timeout=5000)
    assert shell.screens[State.ATTRACT] not in shown
    assert shell.stack.currentWidget() is not shell.screens[State.ATTRACT]
