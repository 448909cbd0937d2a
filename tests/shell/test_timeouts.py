"""Inactivity in the real window: 'Are you still there?', a touch keeps the session, silence ends and wipes it."""

from __future__ import annotations

from kiosk.core.session import State, Tick
from tests.shell.conftest import shell_config
from tests.shell.drive import tap, wait_state


def test_still_there_then_timeout_to_attract(qtbot, tmp_path, district, open_shell):
    config = shell_config(tmp_path / "kiosk", district.url, session={"inactivity_s": 1.0, "warning_s": 1.0})
    window = open_shell(config)
    terminal = window.terminal
    tap(qtbot, window, "start")
    wait_state(qtbot, window, State.MENU)
    identity = terminal.session.identity
    qtbot.waitUntil(lambda: window.still_there.isVisible(), timeout=5000)
    tap(qtbot, window, "still-here")  # the citizen is still there
    qtbot.waitUntil(lambda: not window.still_there.isVisible(), timeout=2000)
    assert terminal.session.state is State.MENU
    qtbot.waitUntil(lambda: window.still_there.isVisible(), timeout=5000)
    wait_state(qtbot, window, State.ATTRACT, timeout_ms=5000)  # nobody answered
    assert not window.still_there.isVisible()
    assert identity is not None and identity.document_number == "" and identity.photo == b""
    terminal.dispatch(Tick())
    assert terminal.session.identity is None
