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
    wait_state(qtbot, shell, State.READING_DOCUMENT)
    shell.bridge.session_changed.emit(stale)  # a worker's change that was queued before the tap, delivered now
    qtbot.wait(50)
    assert shell.terminal.session.state is State.READING_DOCUMENT
    assert shell.stack.currentWidget() is shell.screens[State.READING_DOCUMENT]
